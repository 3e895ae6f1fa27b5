"""Strict, offline validation of Kubernetes YAML against the API's OpenAPI definitions.

The definitions are the ones Debian's python3-kubernetes package was generated from (the Kubernetes
OpenAPI spec of its release: every model's field names, JSON names, types and required fields). Unlike
the API client itself, this check rejects unknown fields, wrong types (a number where a string belongs,
as a YAML 1.1 reader sees it) and missing required fields, like kubeconform's strict mode.

Usage: validate_strict.py FILE.yaml...   (exit 0 when every object is valid; one line per problem)
"""
import sys

import yaml
from kubernetes.client import Configuration, models

PRIMITIVES = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "datetime": (str,),
    "date": (str,),
}


def model_for(api_version, kind):
    version = api_version.split("/")[-1]
    name = version[0].upper() + version[1:] + kind
    return getattr(models, name, None), name


def check(value, type_name, path, errors):
    if value is None:
        errors.append(f"{path}: null is not a {type_name}")
        return
    if type_name == "object":
        return
    if type_name in PRIMITIVES:
        expected = PRIMITIVES[type_name]
        if not isinstance(value, expected) or (type_name != "bool" and isinstance(value, bool)):
            errors.append(f"{path}: expected {type_name}, found {type(value).__name__} {value!r}")
        return
    if type_name.startswith("list["):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, found {type(value).__name__}")
            return
        for index, item in enumerate(value):
            check(item, type_name[5:-1], f"{path}[{index}]", errors)
        return
    if type_name.startswith("dict("):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map, found {type(value).__name__}")
            return
        item_type = type_name[type_name.index(",") + 1:-1].strip()
        for key, item in value.items():
            if not isinstance(key, str):
                errors.append(f"{path}: key {key!r} is not a string")
            check(item, item_type, f"{path}.{key}", errors)
        return
    check_model(value, getattr(models, type_name), path, errors)


def check_model(value, cls, path, errors):
    if not isinstance(value, dict):
        errors.append(f"{path}: expected an object ({cls.__name__}), found {type(value).__name__}")
        return
    by_json_name = {json: attribute for attribute, json in cls.attribute_map.items()}
    for key, item in value.items():
        attribute = by_json_name.get(key)
        if attribute is None:
            errors.append(f"{path}.{key}: unknown field (not in {cls.__name__})")
            continue
        check(item, cls.openapi_types[attribute], f"{path}.{key}", errors)
    # The generated setters enforce required fields and enumerations: run them on the values read.
    probe = cls.__new__(cls)
    probe.local_vars_configuration = Configuration()
    for attribute, json in cls.attribute_map.items():
        item = value.get(json)
        if item is not None and cls.openapi_types[attribute] not in PRIMITIVES:
            item = {} if isinstance(item, dict) else item  # nested objects were checked above
        try:
            setattr(probe, attribute, item)
        except (ValueError, TypeError) as error:
            errors.append(f"{path}.{json}: {error}")


def main(paths):
    objects = invalid = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as stream:
                documents = [d for d in yaml.safe_load_all(stream) if d is not None]
        except yaml.YAMLError as error:
            objects += 1
            invalid += 1
            print(f"{path}: not YAML: {' '.join(str(error).split())}")
            continue
        for document in documents:
            objects += 1
            errors = []
            cls, name = model_for(document.get("apiVersion", ""), document.get("kind", ""))
            if cls is None:
                errors.append(f"no definition for {name}")
            else:
                check_model(document, cls, document.get("kind"), errors)
            if errors:
                invalid += 1
                for error in errors:
                    print(f"{path}: {error}")
    print(f"{objects - invalid} of {objects} objects valid")
    return 0 if invalid == 0 and objects > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
