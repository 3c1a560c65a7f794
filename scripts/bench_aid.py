#!/usr/bin/env python3
"""Mutual aid benchmark: 100,000 ads across 10 territories, search by domain + radius + text.

Usage: bench_aid.py HALLE_BIN
Builds a fresh SQLite database with `halle migrate`, writes the territories, communes, authors
and ads straight into it (the API would refuse so many ads: 5 a day per account), serves it
with the release binary and times searches from one client, sequentially, over one keep-alive
connection. Prints p50/p95/max per query (200 requests each).
"""
import http.client
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata

binary = sys.argv[1]
TERRITORIES, ADS = 10, 100_000
work = tempfile.mkdtemp(prefix="halle-bench-aid-")
db_path = os.path.join(work, "bench.db")
env = dict(os.environ, HALLE_DATABASE_URL=f"sqlite://{db_path}?mode=rwc", HALLE_BIND="127.0.0.1:0", RUST_LOG="warn")
subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)


def fold(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(w for w in re.split(r"[^a-z0-9]+", ascii_text) if w)


random.seed(7)
domains = ["agricultural", "associative", "commercial", "medical", "transport", "socio-educational"]
labels = {"agricultural": "Agricole", "associative": "Associatif", "commercial": "Commercial",
          "medical": "Médical", "transport": "Transport", "socio-educational": "Socio-éducatif"}
titles = ["Conduite vers l’hôpital", "Courses pour personne âgée", "Aide à la récolte", "Cours de soutien",
          "Prêt de salle", "Livraison de pain", "Covoiturage du matin", "Visite de convivialité",
          "Bricolage et petites réparations", "Garde d’animaux", "Lecture à voix haute", "Jardinage partagé"]
words = ["mardi", "jeudi", "Nîmes", "marché", "école", "pharmacie", "voiture", "vélo", "potager", "informatique"]
now = int(time.time())
con = sqlite3.connect(db_path)
cur = con.cursor()
centres = []
for t in range(TERRITORIES):
    cur.execute("insert into territory (slug, name, time_zone, created_at) values (?, ?, 'Europe/Paris', ?)",
                (f"t{t}", f"Territoire {t}", now))
    tid = cur.lastrowid
    # Territories side by side, 0.5° apart, each about 30 km across.
    lat0, lon0 = 43.5 + (t // 5) * 0.5, 3.5 + (t % 5) * 0.5
    centres.append((tid, lat0, lon0))
    cur.execute("insert into commune (territory_id, insee_code, postcode, name, latitude, longitude) values (?, ?, ?, ?, ?, ?)",
                (tid, f"{30000 + t}", "30000", f"Centre {t}", lat0, lon0))
authors = []
for u in range(200):
    cur.execute("insert into app_user (email, display_name, password_hash, created_at, updated_at) values (?, ?, 'x', ?, ?)",
                (f"membre{u}@bench.example", f"Membre {u}", now, now))
    authors.append(cur.lastrowid)
rows = []
for i in range(ADS):
    tid, lat0, lon0 = centres[i % TERRITORIES]
    domain = random.choice(domains)
    title = f"{random.choice(titles)} {random.choice(words)}"
    description = f"{random.choice(words)} {random.choice(words)} annonce numéro {i}"
    lat = round(lat0 + (random.random() - 0.5) * 0.3, 3)
    lon = round(lon0 + (random.random() - 0.5) * 0.4, 3)
    created = now - random.randint(0, 25 * 24 * 3600)
    search = f" {fold(title)} {fold(labels[domain] + ' ' + domain)} {fold('Centre')} {fold(description)}"
    rows.append((tid, random.choice(authors), random.choice(["offer", "request"]), domain, title, description,
                 "Centre", lat, lon, random.random() < 0.1, search, created + 30 * 24 * 3600, created, created))
cur.executemany(
    "insert into ad (territory_id, author_id, kind, domain, title, description, place, latitude, longitude, is_urgent,"
    " status, state, search_text, expires_at, created_at, updated_at)"
    " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 'published', ?, ?, ?, ?)", rows)
con.commit()
con.execute("analyze")
con.close()
print(f"{ADS} ads in {TERRITORIES} territories written")

server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
base = None
for line in server.stdout:
    match = re.search(r"listening on http://([0-9.]+):([0-9]+)", line)
    if match:
        host, port = match.group(1), int(match.group(2))
        break
try:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    c = centres[3]
    near = f"{c[1]},{c[2]}"
    queries = {
        "API one territory: transport + 10 km + q=conduite": f"/api/v1/ads?territory=t3&domain=transport&near={near}&radius_km=10&q=conduite",
        "API all territories: transport + 10 km + q=conduite": f"/api/v1/ads?domain=transport&near={near}&radius_km=10&q=conduite",
        "API all territories: medical + 25 km + q=mardi, nearest": f"/api/v1/ads?domain=medical&near={near}&radius_km=25&q=mardi&sort=nearest",
        "API one territory: text only q=jardinage": "/api/v1/ads?territory=t3&q=jardinage",
        "HTML search: transport + 10 km + q=conduite": f"/t/t3/entraide?domaine=transport&commune=4&rayon=10&q=conduite",
    }
    for label, path in queries.items():
        times = []
        for _ in range(200):
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            times.append((time.perf_counter() - start) * 1000)
            assert response.status == 200, (path, response.status, body[:200])
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        count = body.count(b'"title":') if path.startswith("/api") else body.count(b'class="card ad-card"')
        print(f"{label:58s} p50 {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms   max {times[-1]:6.2f} ms   ({count} results on the page)")
finally:
    server.terminate()
    server.wait()
