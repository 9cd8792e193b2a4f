"""Terraform's AWS provider against a real sqsemu: init, apply, a message through the
mapping to the handler, a plan that finds no changes, destroy (docs/lambda-policy.md,
"Terraform").

The configuration is what a project deploys: an SQS queue with a dead-letter queue and a
redrive policy, a Lambda function (a zip this test builds), an alias, an event invoke
config on the alias, a permission for SQS, and an event-source mapping on the alias. The
provider comes from a local filesystem mirror (never the network); where terraform or the
mirror is missing the test is skipped with the reason. Every subprocess has a timeout and
every wait is bounded.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import zipfile

import harness
from lambda_util import ACCOUNT, PY_RUNTIME, lambda_client

TERRAFORM = shutil.which("terraform")
PROVIDER_PATH = os.path.join("registry.terraform.io", "hashicorp", "aws")
# Terraform's own implied mirror locations; anything else is found by the bounded search.
MIRROR_CANDIDATES = ("/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins",
                     os.path.expanduser("~/.terraform.d/plugins"))


def find_mirror():
    """The root of a filesystem mirror holding hashicorp/aws (SQSEMU_TF_MIRROR, a usual
    place, or a bounded search of the file system), or None."""
    given = os.environ.get("SQSEMU_TF_MIRROR")
    for root in ([given] if given else []) + list(MIRROR_CANDIDATES):
        if root and os.path.isdir(os.path.join(root, PROVIDER_PATH)):
            return root
    try:
        found = subprocess.run(["find", "/", "-maxdepth", "6", "-path", "*/" + PROVIDER_PATH, "-print", "-quit"],
                               capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return os.path.dirname(os.path.dirname(os.path.dirname(found))) if found else None


MIRROR = find_mirror() if TERRAFORM else None
SKIP_REASON = ("terraform is not installed" if not TERRAFORM else
               "no filesystem mirror of the hashicorp/aws provider was found" if not MIRROR else None)

HANDLER = '''import json, os, uuid

def handler(event, context):
    out = os.environ["OUT_DIR"]
    path = os.path.join(out, uuid.uuid4().hex + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump(event, f)
    os.rename(path + ".tmp", path)  # whole files only: the test reads what it finds
    print("recorded " + path)
    return {"batchItemFailures": []}
'''

CONFIG = '''
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "endpoint" { type = string }
variable "out_dir" { type = string }

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    sqs    = var.endpoint
    lambda = var.endpoint
    sts    = var.endpoint
    iam    = var.endpoint
  }
}

resource "aws_sqs_queue" "dlq" {
  name = "tf-orders-dlq"
}

resource "aws_sqs_queue" "orders" {
  name                       = "tf-orders"
  visibility_timeout_seconds = 60
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 3
  })
  tags = { team = "orders" }
}

resource "aws_lambda_function" "worker" {
  function_name    = "tf-worker"
  role             = "arn:aws:iam::%(account)s:role/tf-worker"
  handler          = "handler.handler"
  runtime          = "%(runtime)s"
  filename         = "${path.module}/handler.zip"
  source_code_hash = filebase64sha256("${path.module}/handler.zip")
  timeout          = 10
  publish          = true
  environment {
    variables = { OUT_DIR = var.out_dir }
  }
  tags = { team = "orders" }
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.worker.function_name
  function_version = aws_lambda_function.worker.version
}

resource "aws_lambda_function_event_invoke_config" "live" {
  function_name                = aws_lambda_alias.live.function_name
  qualifier                    = aws_lambda_alias.live.name
  maximum_retry_attempts       = 1
  maximum_event_age_in_seconds = 600
}

resource "aws_lambda_permission" "sqs" {
  statement_id  = "AllowOrdersQueue"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.worker.function_name
  principal     = "sqs.amazonaws.com"
  source_arn    = aws_sqs_queue.orders.arn
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_alias.live.arn
  batch_size       = 5
}

output "queue_url" { value = aws_sqs_queue.orders.url }
output "mapping_uuid" { value = aws_lambda_event_source_mapping.orders.uuid }
'''


@unittest.skipIf(SKIP_REASON is not None, SKIP_REASON or "")
class TerraformTests(unittest.TestCase):
    def setUp(self):
        self.server = harness.Server().start()
        self.addCleanup(self.server.cleanup)
        self.work = tempfile.mkdtemp(prefix="sqsemu-tf-")
        self.addCleanup(shutil.rmtree, self.work, True)
        self.out_dir = os.path.join(self.work, "out")
        os.mkdir(self.out_dir)
        with zipfile.ZipFile(os.path.join(self.work, "handler.zip"), "w") as z:
            z.writestr("handler.py", HANDLER)
        with open(os.path.join(self.work, "main.tf"), "w") as f:
            f.write(CONFIG % {"account": ACCOUNT, "runtime": PY_RUNTIME})
        rc = os.path.join(self.work, "terraform.rc")
        with open(rc, "w") as f:
            f.write('provider_installation {\n'
                    '  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.terraform.io/*/*"]\n  }\n'
                    '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n' % MIRROR)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        self.env.update({"TF_CLI_CONFIG_FILE": rc, "TF_DATA_DIR": os.path.join(self.work, ".terraform"),
                         "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
                         "HOME": self.work})
        self.vars = ["-var", "endpoint=" + self.server.endpoint, "-var", "out_dir=" + self.out_dir]
        self.lam = lambda_client(self.server)
        self.sqs = self.server.client("sqs")

    def terraform(self, *args, timeout=600, ok=(0,)):
        proc = subprocess.run([TERRAFORM] + list(args), cwd=self.work, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if proc.returncode not in ok:
            self.fail("terraform %s exited %d\n%s\n%s\n--- server log (tail) ---\n%s"
                      % (" ".join(args), proc.returncode, proc.stdout[-6000:], proc.stderr[-6000:],
                         self.server.log()[-6000:]))
        return proc

    def records(self):
        found = []
        for name in sorted(os.listdir(self.out_dir)):
            if name.endswith(".json"):
                with open(os.path.join(self.out_dir, name)) as f:
                    found.append(json.load(f))
        return found

    def test_apply_deliver_plan_destroy(self):
        self.terraform("init", "-no-color", "-input=false", timeout=180)
        self.addCleanup(lambda: subprocess.run([TERRAFORM, "destroy", "-auto-approve", "-no-color"] + self.vars,
                                               cwd=self.work, env=self.env, capture_output=True, timeout=600))
        self.terraform("apply", "-auto-approve", "-no-color", *self.vars)
        outputs = json.loads(self.terraform("output", "-json", "-no-color", timeout=60).stdout)

        # What terraform made is there, as configured.
        queue_url = outputs["queue_url"]["value"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(json.loads(attrs["RedrivePolicy"])["maxReceiveCount"], 3)
        self.assertEqual(attrs["VisibilityTimeout"], "60")
        mapping = self.lam.get_event_source_mapping(UUID=outputs["mapping_uuid"]["value"])
        self.assertTrue(mapping["FunctionArn"].endswith(":function:tf-worker:live"), mapping["FunctionArn"])
        policy = json.loads(self.lam.get_policy(FunctionName="tf-worker")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["AllowOrdersQueue"])

        # A message sent to the queue reaches the handler through the mapping on the alias.
        self.sqs.send_message(QueueUrl=queue_url, MessageBody="order-42")
        harness.wait_until(lambda: self.records(), timeout=60, interval=0.1)
        bodies = [r["body"] for doc in self.records() for r in doc.get("Records", [])]
        self.assertIn("order-42", bodies, "the handler never saw the message (server log: %s)"
                      % self.server.log()[-3000:])

        # Reading everything back finds nothing to change.
        plan = self.terraform("plan", "-detailed-exitcode", "-no-color", *self.vars, timeout=300, ok=(0, 2))
        self.assertEqual(plan.returncode, 0, "terraform plan found changes:\n" + plan.stdout[-6000:])

        # Destroy removes every queue, function and mapping.
        self.terraform("destroy", "-auto-approve", "-no-color", *self.vars)
        self.assertEqual(self.sqs.list_queues(QueueNamePrefix="tf-").get("QueueUrls", []), [])
        self.assertEqual([f["FunctionName"] for f in self.lam.list_functions()["Functions"]], [])
        self.assertEqual(self.lam.list_event_source_mappings()["EventSourceMappings"], [])


if __name__ == "__main__":
    unittest.main()
