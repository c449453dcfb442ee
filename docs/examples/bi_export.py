"""Reads a Switchboard export with Python's standard library only and totals the cost per provider.

    SWITCHBOARD_URL=http://localhost:4000 SWITCHBOARD_API_KEY=demo-key python3 docs/examples/bi_export.py

Prints one line per provider: conversations, conversations without a reported cost, and the exact
total cost per currency. Amounts are read with decimal.Decimal, never float, so they add up exactly.
"""
import csv
import io
import os
import urllib.request
from collections import defaultdict
from decimal import Decimal

base = os.environ.get("SWITCHBOARD_URL", "http://localhost:4000")
key = os.environ.get("SWITCHBOARD_API_KEY", "demo-key")
request = urllib.request.Request(
    f"{base}/exports/conversations.csv",
    headers={"Authorization": f"Bearer {key}"},
)

conversations = defaultdict(int)
without_cost = defaultdict(int)
totals = defaultdict(Decimal)
with urllib.request.urlopen(request) as response:
    # newline="" is what the csv module wants: quoted fields may hold line breaks.
    for row in csv.DictReader(io.TextIOWrapper(response, encoding="utf-8", newline="")):
        provider = row["provider"]
        conversations[provider] += 1
        if row["cost_total"] == "":
            without_cost[provider] += 1  # no cost reported: counted apart, never as zero
        else:
            totals[(provider, row["cost_currency"])] += Decimal(row["cost_total"])

for provider in sorted(conversations):
    costs = " ".join(f"{currency}={amount}" for (p, currency), amount in sorted(totals.items()) if p == provider)
    print(f"{provider} conversations={conversations[provider]} without_cost={without_cost[provider]} {costs}".rstrip())
