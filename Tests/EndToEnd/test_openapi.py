"""The API document served by the real server reads the same in every OpenAPI tool: PyYAML
(YAML 1.1, where an unquoted `on:` key is the boolean true) and openapi-spec-validator."""
import urllib.request

import yaml
from openapi_spec_validator import validate


def test_served_document_is_valid_openapi(server):
    with urllib.request.urlopen(server["url"] + "/openapi.yaml", timeout=10) as r:
        document = yaml.safe_load(r.read())
    validate(document)
    # Every key of every schema is a string (a YAML 1.1 reader turns on/off/yes/no into booleans).
    def keys(node, path="$"):
        if isinstance(node, dict):
            for k, v in node.items():
                assert isinstance(k, str), f"chave não textual {k!r} em {path}"
                keys(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                keys(v, f"{path}[{i}]")
    keys(document)
    # Every operation is tagged with its feature.
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                assert op.get("tags"), f"{method.upper()} {path} sem tags"
