#!/usr/bin/env python3
"""Reads a CI recipe of examples/ and prints, as JSON, what a test runs of it.

  ci_recipe.py gitlab FILE JOB
      {"variables": {...}, "before_script": "...", "script": "..."}
  ci_recipe.py github FILE JOB CONTEXT_JSON
      {"shell": "bash", "steps": [{"name", "uses", "run", "env", "with"}...]}
      with every ${{ expression }} replaced from CONTEXT_JSON, an object of
      expression -> value. An expression the context lacks is an error, so a
      recipe that starts to use a new one fails its test until the test
      gives it a value.
"""
import json
import re
import sys

import yaml


def die(msg):
    print("ci_recipe.py: " + msg, file=sys.stderr)
    sys.exit(2)


def lines(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return "\n".join(v)


def gitlab(path, job):
    doc = yaml.safe_load(open(path))
    if job not in doc:
        die("%s has no job %s" % (path, job))
    j = doc[job]
    return {
        "variables": {k: str(v) for k, v in (j.get("variables") or {}).items()},
        "before_script": lines(j.get("before_script")),
        "script": lines(j.get("script")),
    }


EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def github(path, job, context):
    doc = yaml.safe_load(open(path))
    jobs = doc.get("jobs") or {}
    if job not in jobs:
        die("%s has no job %s" % (path, job))
    j = jobs[job]

    def sub(v):
        if isinstance(v, dict):
            return {k: sub(x) for k, x in v.items()}
        if isinstance(v, (int, float, bool)):
            return str(v).lower() if isinstance(v, bool) else str(v)
        if not isinstance(v, str):
            return v

        def one(m):
            if m.group(1) not in context:
                die("%s uses ${{ %s }}, which the test gives no value" %
                    (path, m.group(1)))
            return context[m.group(1)]
        return EXPR.sub(one, v)

    env = dict(doc.get("env") or {})
    env.update(j.get("env") or {})
    shell = ((doc.get("defaults") or {}).get("run") or {}).get("shell", "bash")
    steps = []
    for s in j.get("steps") or []:
        e = dict(env)
        e.update(s.get("env") or {})
        steps.append({
            "name": s.get("name", ""),
            "uses": s.get("uses", ""),
            "run": sub(s.get("run", "")),
            "env": sub(e),
            "with": sub(s.get("with") or {}),
            "if": s.get("if", ""),
        })
    return {"shell": shell, "steps": steps}


def main(argv):
    if len(argv) == 4 and argv[1] == "gitlab":
        out = gitlab(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "github":
        out = github(argv[2], argv[3], json.loads(argv[4]))
    else:
        die("usage: ci_recipe.py gitlab FILE JOB | github FILE JOB CONTEXT_JSON")
    json.dump(out, sys.stdout)


main(sys.argv)
