"""Helpers shared by the CloudFormation suites (test_cfn_api, test_cfn_deploy).

A server is started in a directory of its own (a copy of a fixture directory): paths in a
template sent over the API (CodeUri, Code, TemplateURL) resolve against the server's working
directory. Stacks are driven with the aws CLI (lambda_util.run_cli) and boto3's
cloudformation client; every wait is bounded and reads server state (DescribeStacks, the
/_sqsemu/invocations admin route, queue attributes), never a bare sleep.
"""
import os
import shutil
import tempfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import admin_util
import harness
import lambda_util

ROOT = harness.ROOT
SAM_DIR = os.path.join(ROOT, "fixtures", "sam-tutorial")
NESTED_DIR = os.path.join(ROOT, "fixtures", "cfn-nested")
STACK_ARN_PREFIX = "arn:aws:cloudformation:%s:%s:stack/" % (harness.REGION, harness.ACCOUNT)


def cfn_client(server):
    cfg = Config(retries={"total_max_attempts": 1}, read_timeout=120, connect_timeout=5)
    return boto3.session.Session().client("cloudformation", endpoint_url=server.endpoint,
                                          region_name=harness.REGION, aws_access_key_id="AKIDEXAMPLE",
                                          aws_secret_access_key="secret", config=cfg)


def copy_dir(src):
    """A scratch copy of a fixture directory (templates may be rewritten by a test)."""
    dest = tempfile.mkdtemp(prefix="sqsemu-cfn-")
    shutil.copytree(src, dest, dirs_exist_ok=True)
    return dest


def outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def error_code(exc):
    return exc.response["Error"]["Code"], exc.response["Error"].get("Message", "")


def invocations(server, function):
    return admin_util.invocations(server, function=function, limit=100)


def wait_invocations(server, function, predicate, timeout=30.0):
    """Waits (bounded) until the function's invocation history satisfies predicate."""
    return harness.wait_until(lambda: (lambda inv: inv if predicate(inv) else None)(invocations(server, function)),
                              timeout=timeout, interval=0.05)


def invoked_with(server, function, message_id, timeout=30.0):
    """The function's history once an invocation's batch held the message message_id."""
    return wait_invocations(server, function,
                            lambda inv: any(message_id in i.get("MessageIds", []) for i in inv), timeout)


class CfnTestCase(harness.ServerTestCase):
    """A server per class, started in a copy of fixture_dir (None: the repository root)."""

    fixture_dir = None
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.workdir = copy_dir(cls.fixture_dir) if cls.fixture_dir else None
        cls.server = harness.Server(extra_args=cls.server_args, cwd=cls.workdir or ROOT).start()
        cls.cfn = cfn_client(cls.server)
        cls.sqs = cls.server.client("sqs")
        cls.lam = lambda_util.lambda_client(cls.server)
        cls.home = tempfile.mkdtemp(prefix="sqsemu-cli-home-")
        cls.env = lambda_util.cli_env(cls.home)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.home, True)
        if cls.workdir:
            shutil.rmtree(cls.workdir, True)

    def cli(self, *args, check=True, timeout=180):
        """`aws <args>` against this server: (parsed JSON output or {}, completed process)."""
        return lambda_util.run_cli(self.server, self.env, *args, check=check, timeout=timeout)

    def stack(self, name):
        return self.cfn.describe_stacks(StackName=name)["Stacks"][0]

    def assert_stack_absent(self, name):
        with self.assertRaises(ClientError) as cm:
            self.cfn.describe_stacks(StackName=name)
        code, message = error_code(cm.exception)
        self.assertEqual(code, "ValidationError")
        self.assertEqual(message, "Stack with id %s does not exist" % name)

    def delete_quietly(self, name):
        try:
            self.cfn.delete_stack(StackName=name)
        except ClientError:
            pass

    def queue_exists(self, url):
        try:
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            return True
        except ClientError:
            return False

    def function_exists(self, name):
        try:
            self.lam.get_function(FunctionName=name)
            return True
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "ResourceNotFoundException")
            return False

    def mapping_exists(self, uuid):
        try:
            self.lam.get_event_source_mapping(UUID=uuid)
            return True
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], "ResourceNotFoundException")
            return False

    def queue_count(self):
        return len(self.sqs.list_queues().get("QueueUrls", []))

    def function_count(self):
        return len(self.lam.list_functions()["Functions"])

    def mapping_count(self):
        return len(self.lam.list_event_source_mappings()["EventSourceMappings"])
