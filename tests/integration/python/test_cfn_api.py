"""The CloudFormation API on the wire (query protocol 2010-05-15) with the aws CLI and boto3.

CfnWire runs on its own: routing (signed for "cloudformation", unsigned with a
CloudFormation Action, SQS untouched), the codec's refusals as XML the CLI parses, and the
server's refusals (--auth) in CloudFormation's shape. The other classes drive stacks: the
issue's snippet with its nested stacks (fixtures/cfn-nested) through create, the waiters,
every read action, an update (BatchSize, a filter, the inline code) and a delete that
leaves nothing; and the failures AWS names (template errors are ValidationError at
create; a bad property value is CREATE_FAILED and ROLLBACK_COMPLETE with the reason)."""
import json
import os
import urllib.parse
import unittest

from botocore.exceptions import ClientError

import harness
import lambda_util
from cfn_util import NESTED_DIR, STACK_ARN_PREFIX, CfnTestCase, error_code, invoked_with, outputs

SIMPLE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
XMLNS = b'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"'
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def signed_post(server, service, body):
    """A form POST signed with SigV4 for service (botocore's signer); (status, body)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers=dict(FORM))
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), service, harness.REGION).add_auth(request)
    headers = {k: v for k, v in request.headers.items()}
    status, _, answer = server.raw("POST", "/", body, headers)
    return status, answer


@unittest.skipUnless(lambda_util.AWS_CLI, "the aws CLI is not installed")
class CfnWire(CfnTestCase):
    """The front, the codec, and the CLI parsing what they write."""

    def test_validate_template_cli_and_boto3(self):
        out, _ = self.cli("cloudformation", "validate-template", "--template-body", SIMPLE)
        self.assertIn("Parameters", out)
        self.assertIsInstance(out["Parameters"], list)
        resp = self.cfn.validate_template(TemplateBody=SIMPLE)
        self.assertIsInstance(resp["Parameters"], list)
        self.assertTrue(lambda_util.UUID_RE.fullmatch(resp["ResponseMetadata"]["RequestId"]))

    def test_unsigned_request_with_a_cloudformation_action(self):
        status, headers, body = self.server.raw("POST", "/", b"Action=ValidateTemplate&Version=2010-05-15"
                                                b"&TemplateBody=" + urllib.parse.quote(SIMPLE).encode(), FORM)
        self.assertEqual(status, 200, body)
        self.assertIn(b"<ValidateTemplateResponse " + XMLNS + b">", body)
        self.assertIn(b"<ValidateTemplateResult>", body)
        self.assertTrue(headers["content-type"].startswith("text/xml"))
        out, _ = self.cli("--no-sign-request", "cloudformation", "validate-template", "--template-body", SIMPLE)
        self.assertIn("Parameters", out)

    def test_sqs_is_untouched(self):
        url = self.sqs.create_queue(QueueName=self.unique("cfn-wire"))["QueueUrl"]
        self.addCleanup(self.sqs.delete_queue, QueueUrl=url)
        status, _, body = self.server.raw("POST", "/", b"Action=ListQueues&Version=2012-11-05", FORM)
        self.assertEqual(status, 200)
        self.assertIn(b"<ListQueuesResponse", body)
        # a request signed for SQS that names a CloudFormation action stays SQS's
        status, body = signed_post(self.server, "sqs", b"Action=CreateStack&StackName=s")
        self.assertEqual(status, 400)
        self.assertIn(b"queue.amazonaws.com", body)
        self.assertIn(b"InvalidAction", body)
        status, body = signed_post(self.server, "cloudformation",
                                   b"Action=ValidateTemplate&TemplateBody=" + urllib.parse.quote(SIMPLE).encode())
        self.assertEqual(status, 200, body)
        # ... and a template that is no object is CloudFormation's ValidationError
        status, body = signed_post(self.server, "cloudformation", b"Action=ValidateTemplate&TemplateBody=x")
        self.assertEqual(status, 400, body)
        self.assertIn(b"<Code>ValidationError</Code>", body)

    def test_codec_refusals_as_xml_errors(self):
        _, proc = self.cli("cloudformation", "create-stack", "--stack-name", "dup", "--template-body", SIMPLE,
                           "--parameters", "ParameterKey=A,ParameterValue=1", "ParameterKey=A,ParameterValue=2",
                           check=False)
        self.assertEqual(proc.returncode, 255, proc.stdout)
        self.assertIn("An error occurred (ValidationError) when calling the CreateStack operation", proc.stderr)
        self.assertIn("ParameterKey A is given more than once", proc.stderr)
        status, _, body = self.server.raw("POST", "/", b"Action=CreateStack&StackName=s"
                                          b"&Capabilities.member.2=CAPABILITY_IAM", FORM)
        self.assertEqual(status, 400)
        self.assertIn(b"<ErrorResponse " + XMLNS + b"><Error><Type>Sender</Type><Code>ValidationError</Code>", body)
        self.assertIn(b"<RequestId>", body)
        status, _, body = self.server.raw("POST", "/", b"Action=CreateStack&DisableRollback=maybe", FORM)
        self.assertEqual(status, 400)
        self.assertIn(b"Value 'maybe' at 'DisableRollback' failed to satisfy constraint", body)

    def test_unknown_and_missing_action(self):
        with self.assertRaises(ClientError) as cm:
            self.cfn.list_stack_sets()
        self.assertEqual(error_code(cm.exception)[0], "InvalidAction")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        _, proc = self.cli("cloudformation", "list-stack-sets", check=False)
        self.assertEqual(proc.returncode, 255)
        self.assertIn("(InvalidAction)", proc.stderr)

    def test_request_line_names_action_and_stack(self):
        server = harness.Server(in_memory=True, extra_args=["--log-level", "info"]).start()
        try:
            env = lambda_util.cli_env(self.home)
            lambda_util.run_cli(server, env, "cloudformation", "validate-template", "--template-body", SIMPLE)
            lambda_util.run_cli(server, env, "cloudformation", "describe-stacks", "--stack-name", "orders",
                                check=False)
            self.assertRegex(server.log(), r"cloudformation ValidateTemplate 200 ")
            self.assertRegex(server.log(), r"cloudformation DescribeStacks stack=orders \d{3} ")
        finally:
            server.cleanup()


class CfnAuth(CfnTestCase):
    """With --auth-key the signature is checked for the "cloudformation" service."""

    server_args = ("--auth-key", "AKIDEXAMPLE:secret")

    def test_good_and_bad_signatures(self):
        self.assertIn("Parameters", self.cfn.validate_template(TemplateBody=SIMPLE))
        import boto3
        bad = boto3.session.Session().client("cloudformation", endpoint_url=self.server.endpoint,
                                             region_name=harness.REGION, aws_access_key_id="AKIDEXAMPLE",
                                             aws_secret_access_key="wrong")
        with self.assertRaises(ClientError) as cm:
            bad.validate_template(TemplateBody=SIMPLE)
        self.assertEqual(error_code(cm.exception)[0], "SignatureDoesNotMatch")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        unknown = boto3.session.Session().client("cloudformation", endpoint_url=self.server.endpoint,
                                                 region_name=harness.REGION, aws_access_key_id="AKIDNOBODY",
                                                 aws_secret_access_key="secret")
        with self.assertRaises(ClientError) as cm:
            unknown.validate_template(TemplateBody=SIMPLE)
        self.assertEqual(error_code(cm.exception)[0], "InvalidClientTokenId")


@unittest.skipUnless(lambda_util.AWS_CLI, "the aws CLI is not installed")
class CfnNestedStackLifecycle(CfnTestCase):
    """The issue's snippet: parent + two nested stacks, created, read, updated and deleted."""

    fixture_dir = NESTED_DIR

    def parent_body(self):
        with open(os.path.join(self.workdir, "parent.yaml")) as f:
            return f.read()

    def create(self, name):
        out, _ = self.cli("cloudformation", "create-stack", "--stack-name", name, "--template-body",
                          "file://" + os.path.join(self.workdir, "parent.yaml"), "--capabilities", "CAPABILITY_IAM")
        self.assertTrue(out["StackId"].startswith(STACK_ARN_PREFIX + name + "/"), out)
        self.cli("cloudformation", "wait", "stack-create-complete", "--stack-name", name)
        return out["StackId"]

    def test_create_read_update_delete(self):
        name = self.unique("nested")
        self.addCleanup(self.delete_quietly, name)
        stack_id = self.create(name)

        # describe-stacks: status and outputs
        out, _ = self.cli("cloudformation", "describe-stacks", "--stack-name", name)
        stack = out["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(stack["StackId"], stack_id)
        outs = outputs(stack)
        queue_url, function_arn, mapping_id = outs["QueueURL"], outs["FunctionArn"], outs["MappingId"]
        self.assertTrue(function_arn.startswith("arn:aws:lambda:%s:%s:function:" % (harness.REGION, harness.ACCOUNT)))
        function_name = function_arn.rsplit(":", 1)[1]
        self.assertTrue(self.queue_exists(queue_url))
        self.assertTrue(lambda_util.UUID_RE.fullmatch(mapping_id))

        # the nested stacks are stacks of their own, with the parent as ParentId
        resources, _ = self.cli("cloudformation", "describe-stack-resources", "--stack-name", name)
        by_id = {r["LogicalResourceId"]: r for r in resources["StackResources"]}
        self.assertEqual(set(by_id), {"SQSQueue", "Lambda", "LambdaStream"})
        for logical in ("SQSQueue", "Lambda"):
            self.assertEqual(by_id[logical]["ResourceType"], "AWS::CloudFormation::Stack")
            self.assertTrue(by_id[logical]["PhysicalResourceId"].startswith(STACK_ARN_PREFIX + name + "-" + logical))
            child = self.stack(by_id[logical]["PhysicalResourceId"])
            self.assertEqual(child["StackStatus"], "CREATE_COMPLETE")
            self.assertEqual(child["ParentId"], stack_id)
            self.assertEqual(child["RootId"], stack_id)
        self.assertEqual(by_id["LambdaStream"]["ResourceType"], "AWS::Lambda::EventSourceMapping")
        self.assertEqual(by_id["LambdaStream"]["PhysicalResourceId"], mapping_id)
        self.assertTrue(all(r["ResourceStatus"] == "CREATE_COMPLETE" for r in by_id.values()))

        summaries, _ = self.cli("cloudformation", "list-stack-resources", "--stack-name", name)
        self.assertEqual({s["LogicalResourceId"] for s in summaries["StackResourceSummaries"]}, set(by_id))

        # events, newest first: the stack's CREATE_COMPLETE, back to "User Initiated"
        events, _ = self.cli("cloudformation", "describe-stack-events", "--stack-name", name)
        events = events["StackEvents"]
        self.assertEqual((events[0]["LogicalResourceId"], events[0]["ResourceStatus"]), (name, "CREATE_COMPLETE"))
        self.assertEqual((events[-1]["LogicalResourceId"], events[-1]["ResourceStatus"]), (name, "CREATE_IN_PROGRESS"))
        self.assertEqual(events[-1]["ResourceStatusReason"], "User Initiated")
        for logical in by_id:
            statuses = [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == logical]
            self.assertEqual(statuses[0], "CREATE_COMPLETE")
            self.assertIn("CREATE_IN_PROGRESS", statuses)

        # get-template gives the template as it was sent
        template, _ = self.cli("cloudformation", "get-template", "--stack-name", name)
        self.assertEqual(template["TemplateBody"], self.parent_body())
        self.assertIn("Original", template["StagesAvailable"])

        # list-exports: the queue stack's export
        exports, _ = self.cli("cloudformation", "list-exports")
        mine = [e for e in exports["Exports"] if e["Name"].startswith(name + "-SQSQueue-")]
        self.assertEqual(len(mine), 1, exports)
        self.assertEqual(mine[0]["Value"], self.lam.get_event_source_mapping(UUID=mapping_id)["EventSourceArn"])

        # the trigger works: a message runs the handler
        mapping = self.lam.get_event_source_mapping(UUID=mapping_id)
        self.assertEqual(mapping["BatchSize"], 1)
        self.assertEqual(mapping["FunctionArn"], function_arn)
        message_id = self.sqs.send_message(QueueUrl=queue_url, MessageBody="hello")["MessageId"]
        history = invoked_with(self.server, function_name, message_id)
        self.assertTrue(history, "the handler did not run")
        self.assertEqual(history[0]["Outcome"], "success")

        self.update_and_check(name, mapping_id, function_name, queue_url)

        # delete: the stack, its nested stacks and everything they made are gone
        child_ids = [by_id[k]["PhysicalResourceId"] for k in ("SQSQueue", "Lambda")]
        self.cli("cloudformation", "delete-stack", "--stack-name", name)
        self.cli("cloudformation", "wait", "stack-delete-complete", "--stack-name", name)
        self.assert_stack_absent(name)
        deleted = self.stack(stack_id)  # by id, a deleted stack is still described
        self.assertEqual(deleted["StackStatus"], "DELETE_COMPLETE")
        for child in child_ids:
            self.assertEqual(self.stack(child)["StackStatus"], "DELETE_COMPLETE")
        self.assertFalse(self.queue_exists(queue_url))
        self.assertFalse(self.function_exists(function_name))
        self.assertFalse(self.mapping_exists(mapping_id))
        exports, _ = self.cli("cloudformation", "list-exports")
        self.assertFalse([e for e in exports["Exports"] if e["Name"].startswith(name + "-")])

    def update_and_check(self, name, mapping_id, function_name, queue_url):
        """update-stack: BatchSize 5 through the parameter, a filter on the mapping, new code."""
        parent = self.parent_body().replace(
            "      Enabled: True\n",
            "      Enabled: True\n      FilterCriteria:\n        Filters:\n"
            "          - Pattern: '{\"body\": {\"kind\": [\"order\"]}}'\n")
        self.assertIn("FilterCriteria", parent)
        path = os.path.join(self.workdir, "function.yaml")
        with open(path) as f:
            code = f.read()
        with open(path, "w") as f:
            f.write(code.replace('VERSION = "v1"', 'VERSION = "v2"'))
        self.cli("cloudformation", "update-stack", "--stack-name", name, "--template-body", parent,
                 "--parameters", "ParameterKey=BatchSize,ParameterValue=5", "--capabilities", "CAPABILITY_IAM")
        self.cli("cloudformation", "wait", "stack-update-complete", "--stack-name", name)
        self.assertEqual(self.stack(name)["StackStatus"], "UPDATE_COMPLETE")
        mapping = self.lam.get_event_source_mapping(UUID=mapping_id)
        self.assertEqual(mapping["UUID"], mapping_id)  # updated in place, not replaced
        self.assertEqual(mapping["BatchSize"], 5)
        self.assertEqual(mapping["FilterCriteria"], {"Filters": [{"Pattern": '{"body": {"kind": ["order"]}}'}]})
        payload = self.lam.invoke(FunctionName=function_name, Payload=json.dumps({"Records": []}))["Payload"].read()
        self.assertEqual(json.loads(payload), {"version": "v2", "count": 0})
        message_id = self.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"kind": "order"}))["MessageId"]
        self.assertTrue(invoked_with(self.server, function_name, message_id), "the filtered message was not delivered")

    def test_already_exists_and_unknown_stack(self):
        name = self.unique("nested-dup")
        self.addCleanup(self.delete_quietly, name)
        self.create(name)
        _, proc = self.cli("cloudformation", "create-stack", "--stack-name", name, "--template-body",
                           "file://" + os.path.join(self.workdir, "parent.yaml"), "--capabilities", "CAPABILITY_IAM",
                           check=False)
        self.assertEqual(proc.returncode, 255)
        self.assertIn("(AlreadyExistsException)", proc.stderr)
        self.assertIn("Stack [%s] already exists" % name, proc.stderr)
        _, proc = self.cli("cloudformation", "describe-stacks", "--stack-name", "no-such-stack", check=False)
        self.assertIn("(ValidationError)", proc.stderr)
        self.assertIn("Stack with id no-such-stack does not exist", proc.stderr)


QUEUE_AND_FUNCTION = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/r
      Code:
        ZipFile: "def handler(event, context):\\n    return None\\n"
"""


class CfnFailures(CfnTestCase):
    """Template errors are refused at create; a bad property rolls the stack back."""

    def assert_refused(self, body, message):
        name = self.unique("bad")
        before = (self.queue_count(), self.function_count(), self.mapping_count())
        with self.assertRaises(ClientError) as cm:
            self.cfn.create_stack(StackName=name, TemplateBody=body)
        code, text = error_code(cm.exception)
        self.assertEqual(code, "ValidationError")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn(message, text)
        self.assert_stack_absent(name)
        self.assertEqual((self.queue_count(), self.function_count(), self.mapping_count()), before)

    def test_unknown_resource_type(self):
        self.assert_refused(QUEUE_AND_FUNCTION + "  Table:\n    Type: AWS::Foo::Bar\n",
                            "Template format error: Unrecognized resource types: [AWS::Foo::Bar]")

    def test_broken_ref(self):
        self.assert_refused(QUEUE_AND_FUNCTION + "Outputs:\n  X:\n    Value: !Ref Nope\n",
                            "Template format error: Unresolved resource dependencies [Nope] in the Outputs block "
                            "of the template")
        self.assert_refused("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                            "      QueueName: !Ref Missing\n",
                            "Template format error: Unresolved resource dependencies [Missing] in the Resources "
                            "block of the template")

    def test_cycle(self):
        self.assert_refused("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n"
                            "  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n",
                            "Circular dependency between resources: [")

    def test_bad_property_value_rolls_back(self):
        name = self.unique("rollback")
        self.addCleanup(self.delete_quietly, name)
        before = (self.queue_count(), self.function_count(), self.mapping_count())
        body = QUEUE_AND_FUNCTION + ("  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
                                     "      BatchSize: ten\n      EventSourceArn: !GetAtt Queue.Arn\n"
                                     "      FunctionName: !Ref Function\n")
        self.cfn.create_stack(StackName=name, TemplateBody=body)
        _, proc = self.cli("cloudformation", "wait", "stack-create-complete", "--stack-name", name, check=False)
        self.assertEqual(proc.returncode, 255)
        self.assertIn("Waiter StackCreateComplete failed", proc.stderr)
        stack = self.stack(name)
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        events = self.cfn.describe_stack_events(StackName=name)["StackEvents"]
        failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual([e["LogicalResourceId"] for e in failed], ["Mapping"])
        self.assertIn("BatchSize", failed[0]["ResourceStatusReason"])
        rolled_back = {e["LogicalResourceId"] for e in events if e["ResourceStatus"] == "DELETE_COMPLETE"}
        self.assertTrue({"Queue", "Function"} <= rolled_back, rolled_back)
        self.assertIn("ROLLBACK_IN_PROGRESS", [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == name])
        self.assertEqual((self.queue_count(), self.function_count(), self.mapping_count()), before)
        self.cfn.delete_stack(StackName=name)
        self.assert_stack_absent(name)


if __name__ == "__main__":
    unittest.main()
