"""The SAM transform (src/cfn/sam*.c) against AWS SAM's own translator (aws-sam-translator,
a test oracle only): for each template under fixtures/sam/, both expansions must have the
same resource logical ids and types, and the same SQS- and Lambda-relevant properties.

sqsemu's side runs through build/tests/unit/cfn_sam_tool (YAML through sqsemu's own parser,
then cfn_sam_transform). The translator runs offline: a fixed managed-policy map instead of
IAM's ListPolicies, AWS_DEFAULT_REGION set, no parameters. Scalars are compared as strings
(sqsemu's YAML keeps every scalar a string, as CloudFormation does)."""
import json
import os
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures", "sam")
BUILD = os.environ.get("SQSEMU_BUILD_DIR", os.path.join(ROOT, "build"))
TOOL = os.path.join(BUILD, "tests", "unit", "cfn_sam_tool")

try:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from samtranslator.translator.transform import transform as sam_transform
    from samtranslator.yaml_helper import yaml_parse as sam_yaml_parse
    SAM_MISSING = None
except ImportError as e:  # pragma: no cover - depends on the machine
    SAM_MISSING = "aws-sam-translator is not installed (%s)" % e

MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSLambdaSQSQueueExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "AmazonSQSFullAccess": "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
}

# The properties compared, by resource type (None: all of them).
COMPARED = {
    "AWS::Lambda::EventSourceMapping": None,
    "AWS::Lambda::EventInvokeConfig": None,
    "AWS::Lambda::Alias": None,
    "AWS::Lambda::Version": None,
    "AWS::SQS::Queue": None,
    "AWS::Lambda::Function": ["Code", "Handler", "Runtime", "Timeout", "MemorySize", "Environment", "Role",
                              "Tags", "Layers", "DeadLetterConfig", "ReservedConcurrentExecutions"],
    "AWS::IAM::Role": ["ManagedPolicyArns", "AssumeRolePolicyDocument", "Tags"],
}


class _Policies:
    def load(self):
        return dict(MANAGED_POLICIES)


def as_strings(v):
    """JSON with every scalar as a string (booleans as 'true'/'false')."""
    if isinstance(v, dict):
        return {k: as_strings(x) for k, x in v.items()}
    if isinstance(v, list):
        return [as_strings(x) for x in v]
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def view(resources):
    out = {}
    for rid, r in resources.items():
        keep = COMPARED.get(r["Type"], [])
        props = r.get("Properties", {})
        if keep is not None:
            props = {k: v for k, v in props.items() if k in keep}
        entry = {"Type": r["Type"], "Properties": as_strings(props)}
        for attr in ("DeletionPolicy", "DependsOn"):
            if attr in r:
                entry[attr] = as_strings(r[attr])
        out[rid] = entry
    return out


@unittest.skipIf(SAM_MISSING, SAM_MISSING or "")
class SamOracleTest(unittest.TestCase):
    def setUp(self):
        if not os.access(TOOL, os.X_OK):
            self.skipTest("%s is not built (ninja -C build)" % TOOL)

    def ours(self, text):
        p = subprocess.run([TOOL], input=text.encode(), capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return json.loads(p.stdout)

    def theirs(self, text):
        return sam_transform(sam_yaml_parse(text), {}, _Policies())

    def check_fixture(self, name):
        with open(os.path.join(FIXTURES, name)) as f:
            text = f.read()
        ours, theirs = self.ours(text), self.theirs(text)
        self.assertNotIn("Transform", ours)
        self.assertEqual(sorted(ours["Resources"]), sorted(theirs["Resources"]), name)
        mine, want = view(ours["Resources"]), view(theirs["Resources"])
        for rid in want:
            self.assertEqual(mine[rid], want[rid], "%s: %s" % (name, rid))

    def test_minimal_function_with_sqs_event(self):
        self.check_fixture("minimal-sqs.yaml")

    def test_globals(self):
        self.check_fixture("globals.yaml")

    def test_auto_publish_alias(self):
        self.check_fixture("alias.yaml")

    def test_dead_letter_queue_event_invoke_config_concurrency(self):
        self.check_fixture("dlq-invoke-config.yaml")

    def test_filters_scaling_response_types(self):
        self.check_fixture("filters-scaling.yaml")

    def test_every_fixture_is_covered(self):
        covered = {"minimal-sqs.yaml", "globals.yaml", "alias.yaml", "dlq-invoke-config.yaml",
                   "filters-scaling.yaml"}
        self.assertEqual(set(os.listdir(FIXTURES)), covered)

    def test_same_error_wording(self):
        text = ("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
                "    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: s3://b/k\n"
                "      Handler: a.b\n      Runtime: python3.12\n      DeadLetterQueue: {Type: SQS}\n")
        p = subprocess.run([TOOL], input=text.encode(), capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        from samtranslator.model.exceptions import InvalidDocumentException
        with self.assertRaises(InvalidDocumentException) as ctx:
            self.theirs(text)
        e = ctx.exception
        want = "%s %s" % (e.message, e.causes[0].message)
        self.assertIn(want, p.stderr.decode())


if __name__ == "__main__":
    unittest.main()
