#!/usr/bin/env python3
"""Catalogue benchmark: imports spreadsheets into businesses of a running Halle and times the
public catalogue page.

Usage: bench_catalog.py BASE_URL TOKEN SLUG BUSINESS_A BUSINESS_B BUSINESS_C
A gets 10,000 products (CSV); B gets 5,000, exported as XLSX and imported into C (timed end to
end); then A's public catalogue page is requested 200 times per query from one client.
"""
import http.client
import statistics
import sys
import time
import urllib.parse

base, token, slug, a, b, c = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:7])
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
auth = {"Authorization": f"Bearer {token}"}


def request(method, path, body=None, headers=None):
    connection.request(method, path, body, {**auth, **(headers or {})})
    response = connection.getresponse()
    return response.status, response.read()


def csv_of(count, prefix):
    lines = ["Référence;Désignation;Prix TTC;Unité;Stock;Catégorie;Description;Bio"]
    categories = ["Pains", "Viennoiseries", "Pâtisseries", "Épicerie", "Boissons", "Fromages", "Légumes"]
    for i in range(count):
        lines.append(f"{prefix}-{i:05d};Produit {prefix} numéro {i};{1 + i % 40},{i % 100:02d} €;pièce;"
                     f"{'' if i % 5 == 0 else i % 50};{categories[i % len(categories)]};Description du produit {i};{'oui' if i % 3 == 0 else 'non'}")
    return ("\n".join(lines) + "\n").encode("utf-8")


for business, count, prefix in ((a, 10_000, "A"), (b, 5_000, "B")):
    start = time.time()
    status, body = request("POST", f"/api/v1/businesses/{business}/products/import?dry_run=false", csv_of(count, prefix),
                           {"Content-Type": "text/csv"})
    print(f"CSV import of {count} rows into {business}: HTTP {status} in {time.time() - start:.2f} s {body[:90]!r}")

status, xlsx = request("GET", f"/api/v1/businesses/{b}/products.xlsx")
print(f"XLSX export of business {b}: HTTP {status}, {len(xlsx)} bytes")
start = time.time()
status, body = request("POST", f"/api/v1/businesses/{c}/products/import?dry_run=false", xlsx,
                       {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
print(f"XLSX import of 5,000 rows end to end: HTTP {status} in {time.time() - start:.2f} s {body[:90]!r}")

for label, path in {
    "catalogue page 1 (10,000 products)": f"/t/{slug}/annuaire/{a}/catalogue",
    "catalogue page 100": f"/t/{slug}/annuaire/{a}/catalogue?page=100",
    "catalogue category": f"/t/{slug}/annuaire/{a}/catalogue?categorie=Fromages",
    "catalogue search q=numero 42": f"/t/{slug}/annuaire/{a}/catalogue?q=numero%2042",
}.items():
    times = []
    for _ in range(200):
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status == 200, (path, response.status)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{label:40s} p50 {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms   max {times[-1]:6.2f} ms")
