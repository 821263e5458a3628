"""Transforms a SAM template offline, as `sam deploy` has CloudFormation do it, and prints the result as JSON.

Usage: python sam_transform.py TEMPLATE CODE_URI [REGION]
Every function's CodeUri is replaced by CODE_URI (an s3:// URI, as `sam package` would write). The translator
(PyPI aws-sam-translator, brought by aws-sam-cli) needs no AWS access: no managed policy is looked up, because
the template names none (the stub loader fails the transform if one were needed).
"""
import json
import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    def load(self):
        raise SystemExit("the template asks SAM for an AWS managed policy by name; name none (least privilege)")


def main():
    path, code_uri = sys.argv[1], sys.argv[2]
    region = sys.argv[3] if len(sys.argv) > 3 else "us-east-1"
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = code_uri
    transformed = transform(template, {"AWS::Region": region}, NoManagedPolicies())
    json.dump(transformed, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
