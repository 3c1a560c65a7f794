#!/usr/bin/env python3
"""Drive benchmark: 64 concurrent clients placing orders for 20 slots of one business, with wrk.

Usage: bench_orders.py BASE_URL TOKEN SLUG SECONDS
Creates (as the admin of TOKEN) a click-and-collect business with a pickup point, a product
with unlimited stock and 20 slots large enough never to fill, then runs wrk with a Lua script
that posts `POST /api/v1/orders` round-robin over the 20 slots. Prints orders per second, the
latency percentiles and the orders actually stored; then the throughput of the pages a
resident walks through before checking out (catalogue, cart, slot list).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

base, token, slug, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def call(method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


business = call("POST", f"/api/v1/territories/{slug}/businesses",
                {"name": f"Drive benchmark {time.time():.0f}", "kind": "merchant", "click_and_collect": True})
bid = business["id"]
if business.get("state") != "published":
    call("POST", f"/api/v1/businesses/{bid}/approve")
product = call("POST", f"/api/v1/businesses/{bid}/products",
               {"reference": "BENCH", "name": "Pain de campagne", "unit": "piece", "price_cents": 350})
point = call("POST", f"/api/v1/businesses/{bid}/pickup-points", {"name": "La boutique"})
start = int(time.time()) + 3 * 86400
slots = []
for i in range(20):
    at = start + i * 1800
    stamp = lambda s: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))
    slot = call("POST", f"/api/v1/businesses/{bid}/slots",
                {"starts_at": stamp(at), "ends_at": stamp(at + 1800), "capacity": 10_000, "pickup_point_id": point["id"]})
    slots.append(slot["id"])

lua = """
local slots = {%s}
local n = 0
request = function()
  n = n + 1
  local body = '{"business_id": %d, "slot_id": ' .. slots[(n %% #slots) + 1] ..
    ', "items": [{"product_id": %d, "quantity": 1}], "payment": "on_pickup"}'
  return wrk.format("POST", "/api/v1/orders", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %s"}, body)
end
""" % (",".join(map(str, slots)), bid, product["id"], token)
with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
    script.write(lua)


def wrk(path, connections, extra=()):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, base + path],
                         capture_output=True, text=True, check=True).stdout
    field = lambda key: next((l.split()[1] for l in out.splitlines() if l.strip().startswith(key)), "?")
    errors = [l.strip() for l in out.splitlines() if "Non-2xx" in l or "Socket errors" in l]
    return field("Requests/sec"), field("50%"), field("99%"), errors


rps, p50, p99, errors = wrk("/api/v1/orders", 64, ("-s", script.name))
os.unlink(script.name)
stored = 0
for item in call("GET", f"/api/v1/businesses/{bid}/slots")["items"]:
    stored += item["capacity"] - item["remaining"]
print(f"POST /api/v1/orders, 64 connections, 20 slots: {rps} orders/s   p50 {p50}   p99 {p99}   {errors}   stored: {stored}")
for path in (f"/t/{slug}/annuaire/{bid}/catalogue", f"/api/v1/businesses/{bid}/slots"):
    rps, p50, p99, errors = wrk(path, 32)
    print(f"GET {path}: {rps} req/s   p50 {p50}   p99 {p99}   {errors}")
