#!/usr/bin/env python3
"""Small helpers to edit src/api/openapi.json by script and keep its layout (indent 1, UTF-8).

Usage from another script:  from openapi_edit import load, save
"""
import json
import os

PATH = os.path.join(os.path.dirname(__file__), '..', 'src', 'api', 'openapi.json')


def load():
    with open(PATH, encoding='utf-8') as f:
        return json.load(f)


def save(doc):
    with open(PATH, 'w', encoding='utf-8') as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write('\n')


def error_responses():
    return {"4XX": {"$ref": "#/components/responses/Error"}}


def json_body(props, required=()):
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": False, "properties": props,
        "required": list(required)}}}}


def json_ok(props, status="200", description="OK"):
    return {status: {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "properties": props}}}}}
