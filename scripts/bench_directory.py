#!/usr/bin/env python3
"""Directory benchmark: imports N businesses into a running Halle and times searches.

Usage: bench_directory.py BASE_URL TOKEN SLUG [N]
One client, sequential requests over one keep-alive connection: prints p50/p95/max per query.
"""
import http.client
import random
import statistics
import sys
import time
import urllib.parse

base, token, slug = sys.argv[1], sys.argv[2], sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 10_000
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)

random.seed(42)
words = ["Boulangerie", "Épicerie", "Ferme", "Boucherie", "Pharmacie", "Garage", "Librairie", "Fromagerie",
         "Primeur", "Café", "Atelier", "Cave", "Rucher", "Jardins", "Domaine", "Pizzeria"]
names = ["du Centre", "des Garrigues", "du Gardon", "Lafont", "Martin", "de la Place", "du Marché", "Solidaire",
         "des Arènes", "du Moulin", "Saint-Jean", "des Costières", "du Vieux-Port", "des Pins"]
statuses = ["ouvert", "drive", "livraison", "fermé"]
rows = ["nom,categorie,code_postal,commune,latitude,longitude,statut,services,accepte_monnaie_locale,description"]
for i in range(count):
    kind = random.choice(words)
    name = f"{kind} {random.choice(names)} {i}"
    lat = 43.80 + random.random() * 0.15
    lon = 4.35 + random.random() * 0.20
    rows.append(f'"{name}",{kind},{30000 + i % 400},Commune {i % 40},{lat:.5f},{lon:.5f},'
                f'{random.choice(statuses)},{random.choice(["drive", "livraison", "drive;livraison", ""])},'
                f'{random.choice(["oui", "non"])},"Produits locaux et de saison, numéro {i}"')
body = ("\n".join(rows) + "\n").encode()
start = time.time()
connection.request("POST", f"/api/v1/territories/{slug}/businesses/import?dry_run=false", body,
                   {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
response = connection.getresponse()
print(f"import of {count} rows: HTTP {response.status} in {time.time() - start:.1f} s: {response.read()[:120]!r}")

queries = {
    "API text search q=epic": f"/api/v1/territories/{slug}/businesses?q=epic",
    "API q=ferme&status=open&service=delivery": f"/api/v1/territories/{slug}/businesses?q=ferme&status=open&service=delivery",
    "API near+radius 3 km, by distance": f"/api/v1/territories/{slug}/businesses?near=43.86,4.44&radius_km=3",
    "API filtered list page 10": f"/api/v1/territories/{slug}/businesses?status=pickup_only&cursor=450",
    "HTML directory q=boulangerie": f"/t/{slug}/annuaire?q=boulangerie",
    "HTML directory filters": f"/t/{slug}/annuaire?statut=open&service=delivery&page=3",
}
for label, path in queries.items():
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
    print(f"{label:45s} p50 {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms   max {times[-1]:6.2f} ms")
