# The FHIR bundle FILE against the official R4 JSON schema SCHEMA (fhir.schema.json):
#   python3 fhir_schema_check.py SCHEMA FILE
# Exit 0 when valid; otherwise 1, each resource's errors on stderr with their place.
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
sys.exit(1 if errors else 0)
