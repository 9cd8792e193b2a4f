"""SAM templates through the other ways in: `aws cloudformation deploy` (change sets and
their waiters) of fixtures/sam-tutorial, and `sqsemu --template` at start-up with the SAM
fixture and the nested-stack snippet. The handler's runs are read from the
/_sqsemu/invocations admin route; the DLQ move is driven with the test clock."""
import os
import time
import shutil
import subprocess
import tempfile
import unittest

import admin_util
import harness
import lambda_util
from cfn_util import (NESTED_DIR, SAM_DIR, CfnTestCase, cfn_client, invoked_with, outputs,
                      wait_invocations)

SAM_LOGICAL_IDS = {"OrdersDeadLetterQueue", "OrdersQueue", "ProcessOrdersFunction", "ProcessOrdersFunctionRole",
                   "ProcessOrdersFunctionOrdersEvent"}


def mapping_of(lam, function_name):
    mappings = lam.list_event_source_mappings(FunctionName=function_name)["EventSourceMappings"]
    assert len(mappings) == 1, mappings
    return mappings[0]


@unittest.skipUnless(lambda_util.AWS_CLI, "the aws CLI is not installed")
class CfnDeploySam(CfnTestCase):
    """`aws cloudformation deploy` of the tutorial, as the README's quick start runs it."""

    fixture_dir = SAM_DIR

    def deploy(self, name, *extra, check=True):
        # The CLI names its change set awscli-cloudformation-package-deploy-<epoch second>, and a
        # change set that found no changes stays (as on AWS): two deploys within one second
        # would ask for the same name. Wait (bounded) for the next second.
        last = getattr(self, "_deploy_second", None)
        deadline = time.monotonic() + 2
        while last == int(time.time()) and time.monotonic() < deadline:
            time.sleep(0.02)  # the poll interval of this bounded wait
        result = self.cli("cloudformation", "deploy", "--template-file", os.path.join(self.workdir, "template.yaml"),
                        "--stack-name", name, "--capabilities", "CAPABILITY_IAM", *extra, check=check)
        self._deploy_second = int(time.time())  # its change set was created by now
        return result

    def test_deploy_run_redeploy_update_delete(self):
        name = self.unique("tutorial")
        self.addCleanup(self.delete_quietly, name)
        _, proc = self.deploy(name)
        self.assertIn("Waiting for changeset to be created..", proc.stdout)
        self.assertIn("Successfully created/updated stack - %s" % name, proc.stdout)
        stack = self.stack(name)
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        outs = outputs(stack)
        queue_url, dlq_url, function_name = outs["QueueUrl"], outs["DeadLetterQueueUrl"], outs["FunctionName"]
        resources = self.cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
        self.assertEqual({r["LogicalResourceId"] for r in resources}, SAM_LOGICAL_IDS)
        # the processed template is SAM's expansion (JSON, which boto3 decodes)
        processed = self.cfn.get_template(StackName=name, TemplateStage="Processed")["TemplateBody"]
        self.assertEqual(set(processed["Resources"]), SAM_LOGICAL_IDS)
        self.assertNotIn("Transform", processed)

        # the function and its mapping, as SAM expands them
        config = self.lam.get_function_configuration(FunctionName=function_name)
        self.assertEqual((config["Runtime"], config["Handler"], config["Timeout"], config["MemorySize"]),
                         ("python3.12", "app.handler", 10, 128))
        mapping = mapping_of(self.lam, function_name)
        self.assertEqual(mapping["BatchSize"], 10)
        self.assertEqual(mapping["FunctionResponseTypes"], ["ReportBatchItemFailures"])
        redrive = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
        self.assertIn('"maxReceiveCount":3', redrive["Attributes"]["RedrivePolicy"].replace(" ", ""))

        # the handler runs; a body with "fail" is reported, retried, and ends in the DLQ
        ok_id = self.sqs.send_message(QueueUrl=queue_url, MessageBody="order 1")["MessageId"]
        history = invoked_with(self.server, function_name, ok_id)
        self.assertTrue(history, "the handler did not run")
        fail_id = self.sqs.send_message(QueueUrl=queue_url, MessageBody="please fail")["MessageId"]
        for receive in range(1, 4):
            runs = wait_invocations(self.server, function_name,
                                    lambda inv: sum(fail_id in i.get("FailedMessageIds", []) for i in inv) >= receive)
            self.assertTrue(runs, "receive %d of the failing message did not happen" % receive)
            admin_util.advance(self.server, 61000)  # past the queue's 60 s visibility timeout
        moved = harness.wait_until(lambda: self.sqs.get_queue_attributes(
            QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
            ["ApproximateNumberOfMessages"] == "1", timeout=30)
        self.assertTrue(moved, "the failing message did not reach the DLQ")

        # the same template again: no change set to execute
        _, proc = self.deploy(name, "--no-fail-on-empty-changeset")
        self.assertEqual(proc.returncode, 0)
        self.assertIn("No changes to deploy. Stack %s is up to date" % name, proc.stdout)
        _, proc = self.deploy(name, check=False)
        self.assertEqual(proc.returncode, 255)
        self.assertIn("No changes to deploy", proc.stderr)
        self.assertEqual(self.stack(name)["StackStatus"], "CREATE_COMPLETE")

        # a changed parameter updates the mapping in place
        uuid = mapping["UUID"]
        _, proc = self.deploy(name, "--parameter-overrides", "BatchSize=5")
        self.assertIn("Successfully created/updated stack", proc.stdout)
        self.assertEqual(self.stack(name)["StackStatus"], "UPDATE_COMPLETE")
        mapping = mapping_of(self.lam, function_name)
        self.assertEqual((mapping["UUID"], mapping["BatchSize"]), (uuid, 5))
        params = {p["ParameterKey"]: p["ParameterValue"] for p in self.stack(name)["Parameters"]}
        self.assertEqual(params, {"BatchSize": "5"})

        # change sets are listed with AWS's statuses
        summaries = self.cfn.list_change_sets(StackName=name)["Summaries"]
        for s in summaries:
            self.assertIn(s["ExecutionStatus"], ("EXECUTE_COMPLETE", "UNAVAILABLE", "OBSOLETE", "AVAILABLE"))

        self.cli("cloudformation", "delete-stack", "--stack-name", name)
        self.cli("cloudformation", "wait", "stack-delete-complete", "--stack-name", name)
        self.assert_stack_absent(name)
        self.assertFalse(self.queue_exists(queue_url))
        self.assertFalse(self.queue_exists(dlq_url))
        self.assertFalse(self.function_exists(function_name))
        self.assertEqual(self.lam.list_event_source_mappings(FunctionName=function_name)["EventSourceMappings"], [])

    def test_deploy_without_capabilities(self):
        name = self.unique("nocap")
        self.addCleanup(self.delete_quietly, name)
        _, proc = self.cli("cloudformation", "deploy", "--template-file", os.path.join(self.workdir, "template.yaml"),
                           "--stack-name", name, check=False)
        self.assertEqual(proc.returncode, 255)
        self.assertIn("InsufficientCapabilities", proc.stderr)
        self.assertIn("[CAPABILITY_IAM]", proc.stderr)


class CfnTemplateAtStartUp(unittest.TestCase):
    """sqsemu --template FILE: applied before Ready; a restart updates, never duplicates."""

    def start(self, *args, data_dir=None):
        server = harness.Server(data_dir=data_dir, extra_args=list(args))
        self.addCleanup(server.cleanup)
        server.start()
        return server

    def counts(self, server):
        lam = lambda_util.lambda_client(server)
        return (len(server.client("sqs").list_queues().get("QueueUrls", [])), len(lam.list_functions()["Functions"]),
                len(lam.list_event_source_mappings()["EventSourceMappings"]))

    def test_sam_fixture(self):
        data_dir = tempfile.mkdtemp(prefix="sqsemu-cfn-data-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        template = os.path.join(SAM_DIR, "template.yaml")
        server = self.start("--template", template, "--stack-name", "tutorial", data_dir=data_dir)
        stack = cfn_client(server).describe_stacks(StackName="tutorial")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        outs = outputs(stack)
        sqs = server.client("sqs")
        message_id = sqs.send_message(QueueUrl=outs["QueueUrl"], MessageBody="hello")["MessageId"]
        self.assertTrue(invoked_with(server, outs["FunctionName"], message_id), "the handler did not run")
        self.assertEqual(self.counts(server), (2, 1, 1))
        server.stop()

        # a restart with the same data directory updates the stack (BatchSize 5)
        server = self.start("--template", template, "--stack-name", "tutorial", "--parameter", "BatchSize=5",
                            data_dir=data_dir)
        stacks = cfn_client(server).describe_stacks()["Stacks"]
        self.assertEqual([s["StackName"] for s in stacks], ["tutorial"])
        self.assertEqual(stacks[0]["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(self.counts(server), (2, 1, 1))
        self.assertEqual(mapping_of(lambda_util.lambda_client(server), outs["FunctionName"])["BatchSize"], 5)

    def test_nested_snippet(self):
        server = self.start("--template", os.path.join(NESTED_DIR, "parent.yaml"), "--stack-name", "snippet")
        cfn = cfn_client(server)
        stack = cfn.describe_stacks(StackName="snippet")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        outs = outputs(stack)
        mapping = lambda_util.lambda_client(server).get_event_source_mapping(UUID=outs["MappingId"])
        self.assertEqual(mapping["BatchSize"], 1)
        self.assertIn(mapping["State"], ("Enabled", "Enabling", "Creating"))
        function_name = outs["FunctionArn"].rsplit(":", 1)[1]
        message_id = server.client("sqs").send_message(QueueUrl=outs["QueueURL"], MessageBody="hi")["MessageId"]
        self.assertTrue(invoked_with(server, function_name, message_id), "the handler did not run")
        # the nested stacks are stacks of their own
        nested = [s for s in cfn.describe_stacks()["Stacks"] if s.get("ParentId") == stack["StackId"]]
        self.assertEqual(len(nested), 2)

    def test_failure_stops_start_up(self):
        d = tempfile.mkdtemp(prefix="sqsemu-cfn-bad-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "bad.yaml")
        with open(path, "w") as f:
            f.write("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n"
                    "    Properties:\n      BatchSize: ten\n      EventSourceArn: !GetAtt Q.Arn\n"
                    "      FunctionName: nope\n")
        server = harness.Server(in_memory=True, extra_args=["--template", path])
        self.addCleanup(server.cleanup)
        try:
            server.start()
        except RuntimeError as e:
            text = str(e)
        else:
            # sqsemu listens before it applies --template: the port may answer before it stops.
            try:
                server.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.fail("sqsemu started with a template that cannot be applied")
            self.assertNotEqual(server.proc.returncode, 0)
            text = server.log()
        self.assertIn("M", text)
        self.assertIn("BatchSize", text)
        self.assertNotIn("Ready.", text)


if __name__ == "__main__":
    unittest.main()
