#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes medication-refill.json, the reference n8n workflow, from the node sources beside it
(verify-token.js, file-once.sql, answer.js), so that the code a clinic imports is the code that
is reviewed here. `build-workflow.py --check` fails when the JSON is not what the sources make
(run by the test suite).

  build-workflow.py [--check] [--settings FILE.json] [--output FILE]

--settings replaces the Clinic settings node's values (the tests point them at the sandbox)."""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# What an administrator edits after importing (README, "Setting up the workflow").
SETTINGS = [
    ("issuer", "https://<tenant-id>.ciamlogin.com/<tenant-id>/v2.0"),
    ("jwks_uri", "https://<tenant-subdomain>.ciamlogin.com/<tenant-id>/discovery/v2.0/keys"),
    ("audience", "<client-id>"),
    ("scope", "Refill.Submit"),
    ("staff_role", "FrontDesk"),
    ("max_request_age_days", 7),
    ("clock_skew_minutes", 5),
]


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return f.read()


def node(n, name, type_, version, x, parameters, **extra):
    d = {"id": "6f1e0c2a-0000-4d6e-8a10-%012d" % n, "name": name, "type": type_,
         "typeVersion": version, "position": [x, 0], "parameters": parameters}
    d.update(extra)
    return d


def assignment(n, key, value):
    return {"id": "6f1e0c2a-a551-4d6e-8a10-%012d" % n, "name": key, "value": value,
            "type": "number" if isinstance(value, int) else "string"}


def workflow(settings):
    values = [(k, settings.get(k, v)) for k, v in SETTINGS]
    nodes = [
        node(1, "Refill webhook", "n8n-nodes-base.webhook", 2.1, 0, {
            "httpMethod": "POST",
            "path": "medication-refill",
            "responseMode": "responseNode",
            "options": {},
        }, webhookId="6f1e0c2a-0000-4d6e-8a10-0000000000a1"),
        node(2, "Clinic settings", "n8n-nodes-base.set", 3.4, 220, {
            "mode": "manual",
            "assignments": {"assignments": [assignment(i, k, v)
                                            for i, (k, v) in enumerate(values)]},
            "includeOtherFields": False,
            "options": {},
        }),
        node(3, "Verify the token", "n8n-nodes-base.code", 2, 440, {
            "mode": "runOnceForAllItems", "language": "javaScript",
            "jsCode": read("verify-token.js"),
        }),
        node(4, "Token accepted?", "n8n-nodes-base.if", 2.2, 660, {
            "conditions": {
                "options": {"caseSensitive": True, "leftValue": "", "typeValidation": "strict",
                            "version": 2},
                "conditions": [{
                    "id": "6f1e0c2a-1f00-4d6e-8a10-000000000001",
                    "leftValue": "={{ $json.ok }}", "rightValue": "",
                    "operator": {"type": "boolean", "operation": "true", "singleValue": True},
                }],
                "combinator": "and",
            },
            "options": {},
        }),
        node(5, "File once", "n8n-nodes-base.postgres", 2.6, 880, {
            "operation": "executeQuery",
            "query": read("file-once.sql"),
            "options": {"queryReplacement":
                        "={{ [$json.key, $json.sha, $json.reference, $json.mode, "
                        "$json.patient_oid, $json.submitted_by_oid, $json.body] }}"},
        }, alwaysOutputData=True, credentials={"postgres": {
            "id": "MedRefillPgCred1", "name": "Medication Refill database"}}),
        node(6, "Answer", "n8n-nodes-base.code", 2, 1100, {
            "mode": "runOnceForAllItems", "language": "javaScript", "jsCode": read("answer.js"),
        }),
        node(7, "Respond", "n8n-nodes-base.respondToWebhook", 1.5, 1320, {
            "respondWith": "json",
            "responseBody": "={{ JSON.stringify($json.response) }}",
            "options": {"responseCode": "={{ $json.status }}"},
        }),
    ]

    def to(target):
        return [{"node": target, "type": "main", "index": 0}]
    connections = {
        "Refill webhook": {"main": [to("Clinic settings")]},
        "Clinic settings": {"main": [to("Verify the token")]},
        "Verify the token": {"main": [to("Token accepted?")]},
        "Token accepted?": {"main": [to("File once"), to("Respond")]},
        "File once": {"main": [to("Answer")]},
        "Answer": {"main": [to("Respond")]},
    }
    return {"id": "MedRefillWorkflow1", "name": "Medication refill", "active": False,
            "settings": {"executionOrder": "v1", "saveManualExecutions": False,
                         "saveDataSuccessExecution": "none",
                         "saveDataErrorExecution": "none"},
            "nodes": nodes, "connections": connections, "pinData": {}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--check", action="store_true")
    p.add_argument("--settings")
    p.add_argument("--output", default=os.path.join(HERE, "medication-refill.json"))
    a = p.parse_args()
    settings = {}
    if a.settings:
        with open(a.settings, encoding="utf-8") as f:
            settings = json.load(f)
    text = json.dumps(workflow(settings), indent=2, ensure_ascii=False) + "\n"
    if a.check:
        with open(a.output, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("%s is not what build-workflow.py makes from its sources: run it" % a.output)
        return
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(text)


main()
