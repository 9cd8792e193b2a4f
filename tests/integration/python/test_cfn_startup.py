"""--template FILE at start-up (src/cfn/startup.c): the stack is made before "Ready.", a
failure stops start-up naming the resource and the reason, and a restart with the same
data directory leaves an unchanged stack alone or updates it, never duplicates it."""
import json
import os
import subprocess
import tempfile
import unittest

from harness import Server, wait_until

ROLE_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"RoleSuffix": {"Type": "String", "Default": "one"}},
    "Resources": {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                   "Action": "sts:AssumeRole"}],
                },
                "Path": {"Fn::Sub": "/${RoleSuffix}/"},
            },
        }
    },
    "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}}},
}


class TemplateAtStartUp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="sqsemu-cfn-")
        self.data = os.path.join(self.tmp.name, "data")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()
        self.tmp.cleanup()

    def write(self, name, doc):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    def server(self, *args):
        s = Server(data_dir=self.data, extra_args=list(args) + ["--log-level", "info"])
        self.servers.append(s)
        return s

    def start_ready(self, *args):
        s = self.server(*args).start()
        self.assertTrue(wait_until(lambda: "Ready." in s.log() or s.proc.poll() is not None, timeout=20), s.log())
        return s

    def start_failing(self, *args):
        """Starts a server that must stop during start-up; its exit status and log."""
        s = self.server(*args)
        try:
            s.start()
        except RuntimeError:
            pass  # it may exit before or after listening
        if s.proc is not None:
            try:
                s.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.fail("sqsemu did not stop: " + s.log())
            code = s.proc.returncode
        else:
            code = 1
        return code, s.log()

    def test_unknown_type_stops_start_up_naming_it(self):
        path = self.write("bad.json", {"Resources": {"Thing": {"Type": "AWS::Nope::Thing"}}})
        code, log = self.start_failing("--template", path)
        self.assertNotEqual(code, 0)
        self.assertIn("Template format error: Unrecognized resource types: [AWS::Nope::Thing]", log)
        self.assertNotIn("Ready.", log)

    def test_missing_parameter_stops_start_up(self):
        path = self.write("params.json", {"Parameters": {"Name": {"Type": "String"}},
                                          "Resources": {"Thing": {"Type": "AWS::Nope::Thing"}}})
        code, log = self.start_failing("--template", path, "--iac-ignore-unsupported")
        self.assertNotEqual(code, 0)
        self.assertIn("Parameters: [Name] must have values", log)

    def test_cycle_stops_start_up(self):
        # AWS::CloudFormation::Stack is the engine's own type: no provider needed to reach the order.
        path = self.write("cycle.json", {"Resources": {
            "A": {"Type": "AWS::CloudFormation::Stack", "DependsOn": "B", "Properties": {"TemplateURL": "x.json"}},
            "B": {"Type": "AWS::CloudFormation::Stack", "Properties": {
                "TemplateURL": "x.json", "Parameters": {"P": {"Ref": "A"}}}}}})
        code, log = self.start_failing("--template", path)
        self.assertNotEqual(code, 0)
        self.assertIn("Circular dependency between resources: [A, B]", log)
        self.assertNotIn("Ready.", log)

    def test_ignored_types_are_skipped_and_a_restart_changes_nothing(self):
        path = self.write("skip.json", {"Resources": {"Thing": {"Type": "AWS::Nope::Thing"}}})
        s = self.start_ready("--template", path, "--iac-ignore-unsupported")
        log = s.log()
        self.assertIn("Ready.", log)
        self.assertIn("type AWS::Nope::Thing is not supported by sqsemu; skipped", log)
        self.assertIn("stack skip created", log)
        s.stop()
        s = self.start_ready("--template", path, "--iac-ignore-unsupported", "--stack-name", "skip")
        self.assertIn("stack skip is up to date", s.log())

    def test_role_template_created_then_updated_not_duplicated(self):
        path = self.write("roles.json", ROLE_TEMPLATE)
        s = self.server("--template", path, "--stack-name", "roles")
        try:
            s.start()
        except RuntimeError:
            pass
        wait_until(lambda: "Ready." in s.log() or (s.proc is not None and s.proc.poll() is not None), timeout=20)
        self.assertIn("stack roles created", s.log())
        stacks = self.describe(s, "roles")
        self.assertEqual(len(stacks), 1)
        self.assertEqual(stacks[0]["StackStatus"], "CREATE_COMPLETE")
        s.stop()
        s = self.start_ready("--template", path, "--stack-name", "roles")
        self.assertIn("stack roles is up to date", s.log())
        s.stop()
        s = self.start_ready("--template", path, "--stack-name", "roles", "--parameter", "RoleSuffix=two")
        self.assertIn("stack roles updated", s.log())
        stacks = self.describe(s, "roles")
        self.assertEqual([x["StackStatus"] for x in stacks], ["UPDATE_COMPLETE"])

    def describe(self, server, name):
        import boto3
        cfn = boto3.client("cloudformation", endpoint_url=server.endpoint, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")
        return cfn.describe_stacks(StackName=name)["Stacks"]


if __name__ == "__main__":
    unittest.main()
