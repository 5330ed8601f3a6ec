# The FHIR bundle FILE against the official R4 JSON schema SCHEMA (fhir.schema.json):
#   python3 fhir_schema_check.py SCHEMA FILE
# Exit 0 when valid; otherwise 1, each resource's errors on stderr with their place.
# The schema types some codes of a required binding as a bare `code` (no enum): CarePlan.status
# and .intent, Procedure.status. Those, and the codes of the HL7 code systems the bundle's
# AdverseEvents use, are checked here against the R4 value sets (hl7.org/fhir/R4:
# valueset-request-status, valueset-care-plan-intent, valueset-event-status,
# codesystem-adverse-event-severity, codesystem-adverse-event-outcome).
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
assert schema.get("id") == "http://hl7.org/fhir/json-schema/4.0", "not the FHIR R4 JSON schema"
v = jsonschema.Draft6Validator(schema)
bundle = json.load(open(sys.argv[2]))
errors = list(v.iter_errors(bundle))
# The cause, with its place: each resource against its own type's definition (the bundle's
# oneOf over every resource type hides it).
for i, entry in enumerate(bundle.get("entry", [])):
    r = entry.get("resource", {})
    sub = {"$ref": "#/definitions/%s" % r.get("resourceType"), "definitions": schema["definitions"]}
    for e in jsonschema.Draft6Validator(sub).iter_errors(r):
        where = "/".join(map(str, ["entry", i, "resource"] + list(e.absolute_path)))
        print("%s: $/%s: %s" % (sys.argv[2], where, e.message[:160]), file=sys.stderr)
R4_CODES = {
    ("CarePlan", "status"): {"draft", "active", "on-hold", "revoked", "completed",
                             "entered-in-error", "unknown"},
    ("CarePlan", "intent"): {"proposal", "plan", "order", "option"},
    ("Procedure", "status"): {"preparation", "in-progress", "not-done", "on-hold", "stopped",
                              "completed", "entered-in-error", "unknown"},
}
R4_SYSTEMS = {
    "http://terminology.hl7.org/CodeSystem/adverse-event-severity": {"mild", "moderate", "severe"},
    "http://terminology.hl7.org/CodeSystem/adverse-event-outcome": {
        "resolved", "recovering", "ongoing", "resolvedWithSequelae", "fatal", "unknown"},
}
bad_codes = 0
for i, entry in enumerate(bundle.get("entry", [])):
    r = entry.get("resource", {})
    where = "%s: $/entry/%d/resource" % (sys.argv[2], i)
    for (kind, field), allowed in R4_CODES.items():
        if r.get("resourceType") == kind and field in r and r[field] not in allowed:
            print("%s/%s: %r is not an R4 %s.%s" % (where, field, r[field], kind, field), file=sys.stderr)
            bad_codes += 1
    if r.get("resourceType") == "AdverseEvent":
        for field in ("severity", "outcome"):
            for c in r.get(field, {}).get("coding", []):
                allowed = R4_SYSTEMS.get(c.get("system"))
                if allowed is not None and c.get("code") not in allowed:
                    print("%s/%s: %r is not a code of %s" % (where, field, c.get("code"), c.get("system")), file=sys.stderr)
                    bad_codes += 1
sys.exit(1 if errors or bad_codes else 0)
