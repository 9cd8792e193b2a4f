"""Lists in requests are bounded by AWS's limits before any work is done on them, and lists
AWS does not bound are handled in linear time.

A ReceiveMessage with hundreds of thousands of attribute names once held the event loop for
seconds (every delivered message compared each attribute with every name); policy
principals and statements follow SQS's policy quotas; Lambda resources take at most 50 tags.
"""
import json
import time

from botocore.exceptions import ClientError

import harness
from lambda_util import LambdaTestCase, function_arn
from sqs_asserts import SqsCase


class SqsLimitsTest(SqsCase, harness.ServerTestCase):
    protocol = "json"

    def test_huge_attribute_name_lists_are_cheap_and_correct(self):
        url = self.create_queue()
        attrs = {"a%d" % i: {"DataType": "String", "StringValue": str(i)} for i in range(10)}
        for _ in range(10):
            self.sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attrs)
        names = ["n%d" % i for i in range(200000)]
        body = json.dumps({"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 0,
                           "MessageAttributeNames": names + ["a3", "a7.*"], "AttributeNames": names + ["SenderId"],
                           "MessageSystemAttributeNames": names})
        started = time.monotonic()
        status, _, reply = self.server.raw_json("ReceiveMessage", body)
        elapsed = time.monotonic() - started
        self.assertEqual(status, 200, reply)
        self.assertEqual(len(reply["Messages"]), 10)
        for msg in reply["Messages"]:
            self.assertEqual(sorted(msg["MessageAttributes"]), ["a3", "a7"])
            self.assertEqual(sorted(msg["Attributes"]), ["SenderId"])
        # A functional bound (the old code took seconds for this), not a benchmark.
        self.assertLess(elapsed, 5.0)
        # Meanwhile the server answers others at once.
        self.assertIn("QueueUrls", self.sqs.list_queues())

    def test_policy_principal_and_statement_quotas(self):
        url = self.create_queue()
        accounts = ["%012d" % (100000000000 + i) for i in range(51)]
        with self.assertRaises(ClientError) as ctx:
            self.sqs.add_permission(QueueUrl=url, Label="many", AWSAccountIds=accounts, Actions=["SendMessage"])
        self.assertError(ctx, "OverLimit", "51 Principals were found, maximum allowed is 50.")
        for i in range(20):
            self.sqs.add_permission(QueueUrl=url, Label="s%d" % i, AWSAccountIds=["111122223333"],
                                    Actions=["SendMessage"])
        with self.assertRaises(ClientError) as ctx:
            self.sqs.add_permission(QueueUrl=url, Label="s20", AWSAccountIds=["111122223333"],
                                    Actions=["SendMessage"])
        self.assertError(ctx, "OverLimit", "21 statements were found, maximum allowed is 20.")
        policy = json.loads(self.queue_attributes(url, ["Policy"])["Policy"])
        self.assertEqual(len(policy["Statement"]), 20)


class LambdaTagLimitsTest(LambdaTestCase):
    def test_at_most_50_tags_per_function(self):
        name = self.create_function()["FunctionName"]
        arn = function_arn(name)
        self.lam.tag_resource(Resource=arn, Tags={"k%d" % i: "v" for i in range(45)})
        self.assertLambdaError(lambda: self.lam.tag_resource(Resource=arn, Tags={"x%d" % i: "v" for i in range(6)}),
                               "InvalidParameterValueException", 400, message_contains="at most 50 tags")
        self.assertEqual(len(self.lam.list_tags(Resource=arn)["Tags"]), 45, "nothing was added")
        # Replacing existing keys does not count twice.
        self.lam.tag_resource(Resource=arn, Tags={"k%d" % i: "w" for i in range(45)})
        self.assertLambdaError(lambda: self.lam.tag_resource(Resource=arn, Tags={"k" * 129: "v"}),
                               "InvalidParameterValueException", 400)
        self.assertLambdaError(lambda: self.lam.tag_resource(Resource=arn, Tags={"k": "v" * 257}),
                               "InvalidParameterValueException", 400)

    def test_create_with_too_many_tags_is_refused(self):
        name = self.unique("tags")
        self.assertLambdaError(lambda: self.create_function(name=name, Tags={"k%d" % i: "v" for i in range(51)}),
                               "InvalidParameterValueException", 400, message_contains="at most 50 tags")
        self.assertNotIn(name, [f["FunctionName"] for f in self.lam.list_functions()["Functions"]])


if __name__ == "__main__":
    import unittest
    unittest.main()
