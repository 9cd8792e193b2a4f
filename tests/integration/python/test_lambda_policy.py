"""The resource-based policy of Lambda functions (AddPermission, RemovePermission, GetPolicy),
the read operations infrastructure tools call for features sqsemu does not emulate, tags
on qualified ARNs, and the UnknownOperationException that names an unemulated operation
(docs/lambda-policy.md). The shapes and messages are AWS's (API reference, botocore's model).
The policy is stored and answered, never enforced.
"""
import json
import os
import unittest

from botocore.exceptions import ClientError

import admin_util
import harness
from lambda_util import (ACCOUNT, AWS_CLI, NOT_FOUND_RESOURCE, LambdaTestCase, cli_env, function_arn,
                         lambda_client, run_cli)

QUEUE_ARN = "arn:aws:sqs:us-east-1:%s:orders" % ACCOUNT
REVISION_MISMATCH = ("The Revision Id provided does not match the latest Revision Id. Call the "
                     "GetFunction/GetAlias API to retrieve the latest Revision Id")


def not_found(name, qualifier=None):
    return "Function not found: " + function_arn(name, qualifier)


class PolicyTestCase(LambdaTestCase):
    def add(self, name, sid="s1", principal="sqs.amazonaws.com", **extra):
        resp = self.lam.add_permission(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction",
                                       Principal=principal, **extra)
        return json.loads(resp["Statement"])

    def policy(self, name, **extra):
        resp = self.lam.get_policy(FunctionName=name, **extra)
        return json.loads(resp["Policy"]), resp.get("RevisionId")

    def revision(self, name):
        return self.lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]


class AddPermissionTests(PolicyTestCase):
    def test_service_principal_with_source_conditions(self):
        name = self.create_function()["FunctionName"]
        statement = self.add(name, SourceArn=QUEUE_ARN, SourceAccount=ACCOUNT)
        self.assertEqual(statement, {
            "Sid": "s1", "Effect": "Allow", "Principal": {"Service": "sqs.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Resource": function_arn(name),
            "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT},
                          "ArnLike": {"AWS:SourceArn": QUEUE_ARN}}})
        doc, revision = self.policy(name)
        self.assertEqual((doc["Version"], doc["Id"]), ("2012-10-17", "default"))
        self.assertEqual(doc["Statement"], [statement])
        self.assertEqual(revision, self.revision(name), "GetPolicy's RevisionId is the function's")

    def test_principal_forms_and_other_conditions(self):
        name = self.create_function()["FunctionName"]
        account = self.add(name, "acct", principal="123456789012")
        self.assertEqual(account["Principal"], {"AWS": "arn:aws:iam::123456789012:root"})
        anyone = self.add(name, "anyone", principal="*", FunctionUrlAuthType="NONE")
        self.assertEqual(anyone["Principal"], "*")
        self.assertEqual(anyone["Condition"], {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}})
        role = "arn:aws:iam::123456789012:role/caller"
        self.assertEqual(self.add(name, "role", principal=role)["Principal"], {"AWS": role})
        org = self.add(name, "org", principal="*", PrincipalOrgID="o-abcdefghij")
        self.assertEqual(org["Condition"], {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}})
        alexa = self.add(name, "alexa", principal="alexa-appkit.amazon.com", EventSourceToken="amzn1.ask.skill.x-1")
        self.assertEqual(alexa["Condition"], {"StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.x-1"}})
        via_url = self.add(name, "viaurl", principal="*", InvokedViaFunctionUrl=True)
        self.assertEqual(via_url["Condition"], {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}})
        doc, _ = self.policy(name)
        self.assertEqual([s["Sid"] for s in doc["Statement"]], ["acct", "anyone", "role", "org", "alexa", "viaurl"])

    def test_each_change_gives_the_function_a_new_revision(self):
        name = self.create_function()["FunctionName"]
        before = self.revision(name)
        self.add(name, "a")
        after_add = self.revision(name)
        self.assertNotEqual(after_add, before)
        self.assertEqual(self.policy(name)[1], after_add)
        self.add(name, "b", RevisionId=after_add)  # the current revision is accepted
        self.lam.remove_permission(FunctionName=name, StatementId="a")
        self.assertNotEqual(self.revision(name), after_add)

    def test_duplicate_statement_id_is_a_conflict(self):
        name = self.create_function()["FunctionName"]
        self.add(name, "dup")
        self.assertLambdaError(lambda: self.add(name, "dup", principal="*"), "ResourceConflictException", 409,
                               "The statement id (dup) provided already exists. Please provide a new statement "
                               "id, or remove the existing statement.")
        self.assertEqual(len(self.policy(name)[0]["Statement"]), 1)

    def test_stale_revision_is_a_failed_precondition(self):
        name = self.create_function()["FunctionName"]
        stale = self.revision(name)
        self.add(name, "first")
        self.assertLambdaError(lambda: self.add(name, "second", RevisionId=stale),
                               "PreconditionFailedException", 412, REVISION_MISMATCH)
        self.assertEqual([s["Sid"] for s in self.policy(name)[0]["Statement"]], ["first"])

    def test_unknown_function_and_qualifiers(self):
        self.assertLambdaError(lambda: self.add("no-such-fn"), "ResourceNotFoundException", 404,
                               not_found("no-such-fn", "$LATEST"))
        name = self.create_function()["FunctionName"]
        self.assertLambdaError(lambda: self.add(name, Qualifier="$LATEST"), "InvalidParameterValueException", 400,
                               "We currently do not support adding policies for $LATEST.")
        self.assertLambdaError(lambda: self.add(name, Qualifier="77"), "ResourceNotFoundException", 404,
                               not_found(name, "77"))
        self.assertLambdaError(lambda: self.lam.get_policy(FunctionName=name), "ResourceNotFoundException", 404,
                               NOT_FOUND_RESOURCE)

    def test_malformed_members_change_nothing(self):
        name = self.create_function()["FunctionName"]
        self.add(name, "keep")
        revision = self.revision(name)
        self.assertLambdaError(lambda: self.add(name, "bad sid"), "ValidationException", 400,
                               message_contains="at 'statementId' failed to satisfy constraint")
        self.assertLambdaError(
            lambda: self.lam.add_permission(FunctionName=name, StatementId="x", Action="iam:PassRole",
                                            Principal="*"),
            "ValidationException", 400, message_contains="at 'action' failed to satisfy constraint")
        self.assertLambdaError(lambda: self.add(name, "x", principal="nobody"), "InvalidParameterValueException",
                               400, "The provided principal was invalid. Please check the principal and try again.")
        self.assertLambdaError(lambda: self.add(name, "x", SourceAccount="12"), "ValidationException", 400,
                               message_contains="at 'sourceAccount'")
        self.assertLambdaError(lambda: self.add(name, "x", PrincipalOrgID="o-ABCDEFGHIJK"), "ValidationException", 400,
                               message_contains="at 'principalOrgID'")
        self.assertLambdaError(lambda: self.add(name, "x", FunctionUrlAuthType="MAYBE"), "ValidationException",
                               400, message_contains="at 'functionUrlAuthType'")
        path = "/2015-03-31/functions/%s/policy" % name
        status, _, body = self.raw_json("POST", path, b"{not json")
        self.assertEqual((status, body["Type"]), (400, "User"))
        status, hdrs, body = self.raw_json("POST", path, {"Action": "lambda:InvokeFunction", "Principal": "*"})
        self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "ValidationException"))
        self.assertIn("Value null at 'statementId'", body["message"])
        status, hdrs, _ = self.raw_json("POST", path, {"StatementId": 7, "Action": "lambda:*", "Principal": "*"})
        self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "InvalidRequestContentException"))
        self.assertEqual([s["Sid"] for s in self.policy(name)[0]["Statement"]], ["keep"])
        self.assertEqual(self.revision(name), revision)

    def test_policy_size_is_bounded(self):
        name = self.create_function()["FunctionName"]
        long_arn = "arn:aws:sqs:us-east-1:%s:%s" % (ACCOUNT, "q" * 900)
        added = 0
        with self.assertRaises(ClientError) as caught:
            for i in range(40):
                self.add(name, "s%d" % i, SourceArn=long_arn)
                added += 1
        code, message = caught.exception.response["Error"]["Code"], caught.exception.response["Error"]["Message"]
        self.assertEqual(code, "PolicyLengthExceededException")
        self.assertIn("is bigger than the limit (20480)", message)
        doc, _ = self.policy(name)
        self.assertEqual(len(doc["Statement"]), added)
        self.assertLessEqual(len(json.dumps(doc, separators=(",", ":"))), 20480)


class RemovePermissionTests(PolicyTestCase):
    def test_remove_one_then_the_last(self):
        name = self.create_function()["FunctionName"]
        self.add(name, "a")
        self.add(name, "b", principal="*")
        self.assertEqual(self.lam.remove_permission(FunctionName=name, StatementId="a")
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual([s["Sid"] for s in self.policy(name)[0]["Statement"]], ["b"])
        self.lam.remove_permission(FunctionName=name, StatementId="b")
        self.assertLambdaError(lambda: self.lam.get_policy(FunctionName=name), "ResourceNotFoundException", 404,
                               NOT_FOUND_RESOURCE)

    def test_errors(self):
        name = self.create_function()["FunctionName"]
        self.assertLambdaError(lambda: self.lam.remove_permission(FunctionName=name, StatementId="a"),
                               "ResourceNotFoundException", 404, "No policy is associated with the given resource.")
        self.add(name, "a")
        self.assertLambdaError(lambda: self.lam.remove_permission(FunctionName=name, StatementId="zzz"),
                               "ResourceNotFoundException", 404, "Statement zzz is not found in resource policy.")
        self.assertLambdaError(lambda: self.lam.remove_permission(FunctionName=name, StatementId="a",
                                                                  RevisionId="0" * 36),
                               "PreconditionFailedException", 412, REVISION_MISMATCH)
        self.assertLambdaError(lambda: self.lam.remove_permission(FunctionName="ghost-fn", StatementId="a"),
                               "ResourceNotFoundException", 404, not_found("ghost-fn", "$LATEST"))
        self.lam.remove_permission(FunctionName=name, StatementId="a", RevisionId=self.revision(name))
        self.assertLambdaError(lambda: self.lam.get_policy(FunctionName=name), "ResourceNotFoundException", 404)

    def test_function_arn_names_work_too(self):
        name = self.create_function()["FunctionName"]
        self.add(function_arn(name), "by-arn")
        doc, _ = self.policy(function_arn(name))
        self.assertEqual(doc["Statement"][0]["Resource"], function_arn(name))
        self.lam.remove_permission(FunctionName=function_arn(name), StatementId="by-arn")


class PolicyLifetimeTests(PolicyTestCase):
    def test_goes_with_the_function(self):
        name = self.create_function()["FunctionName"]
        self.add(name, "a")
        self.lam.delete_function(FunctionName=name)
        self.create_function(name=name)
        self.assertLambdaError(lambda: self.lam.get_policy(FunctionName=name), "ResourceNotFoundException", 404)

    def test_goes_with_an_admin_reset(self):
        name = self.create_function()["FunctionName"]
        self.add(name, "a")
        admin_util.reset(self.server, function=name)
        self.create_function(name=name)
        self.assertLambdaError(lambda: self.lam.get_policy(FunctionName=name), "ResourceNotFoundException", 404)


class PolicyRestartTests(unittest.TestCase):
    def test_policy_survives_a_restart(self):
        server = harness.Server().start()
        self.addCleanup(server.cleanup)
        lam = lambda_client(server)
        from lambda_util import PY_RUNTIME, ROLE, zip_fixture
        lam.create_function(FunctionName="kept", Runtime=PY_RUNTIME, Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": zip_fixture("py_recorder")})
        lam.add_permission(FunctionName="kept", StatementId="a", Action="lambda:InvokeFunction",
                           Principal="sqs.amazonaws.com", SourceArn=QUEUE_ARN)
        before = lam.get_policy(FunctionName="kept")
        server.stop()
        server.start()
        lam = lambda_client(server)
        after = lam.get_policy(FunctionName="kept")
        self.assertEqual((after["Policy"], after["RevisionId"]), (before["Policy"], before["RevisionId"]))


@unittest.skipIf(AWS_CLI is None, "the aws CLI is not installed")
class PolicyCliTests(PolicyTestCase):
    def test_cli_add_get_remove(self):
        name = self.create_function()["FunctionName"]
        env = cli_env(self.tmpdir())
        added, _ = run_cli(self.server, env, "lambda", "add-permission", "--function-name", name,
                           "--statement-id", "cli", "--action", "lambda:InvokeFunction",
                           "--principal", "sqs.amazonaws.com", "--source-arn", QUEUE_ARN)
        self.assertEqual(json.loads(added["Statement"])["Sid"], "cli")
        got, _ = run_cli(self.server, env, "lambda", "get-policy", "--function-name", name)
        self.assertEqual(json.loads(got["Policy"])["Statement"][0]["Condition"],
                         {"ArnLike": {"AWS:SourceArn": QUEUE_ARN}})
        run_cli(self.server, env, "lambda", "remove-permission", "--function-name", name, "--statement-id", "cli")
        _, proc = run_cli(self.server, env, "lambda", "get-policy", "--function-name", name, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ResourceNotFoundException", proc.stderr)


class ReadOperationTests(PolicyTestCase):
    def test_answers_for_a_function_without_the_features(self):
        name = self.create_function()["FunctionName"]

        def answer(resp):
            resp.pop("ResponseMetadata")
            return resp

        self.assertEqual(answer(self.lam.get_function_code_signing_config(FunctionName=name)),
                         {"CodeSigningConfigArn": "", "FunctionName": name})
        self.assertEqual(answer(self.lam.get_runtime_management_config(FunctionName=name)),
                         {"UpdateRuntimeOn": "Auto", "FunctionArn": function_arn(name)})
        self.assertEqual(answer(self.lam.get_function_recursion_config(FunctionName=name)),
                         {"RecursiveLoop": "Terminate"})
        self.assertEqual(answer(self.lam.list_function_url_configs(FunctionName=name)), {"FunctionUrlConfigs": []})
        self.assertEqual(answer(self.lam.list_provisioned_concurrency_configs(FunctionName=name)),
                         {"ProvisionedConcurrencyConfigs": []})
        self.assertEqual(answer(self.lam.list_layers()), {"Layers": []})
        self.assertLambdaError(lambda: self.lam.get_function_url_config(FunctionName=name),
                               "ResourceNotFoundException", 404, NOT_FOUND_RESOURCE)
        self.assertLambdaError(lambda: self.lam.get_provisioned_concurrency_config(FunctionName=name,
                                                                                   Qualifier="$LATEST"),
                               "ProvisionedConcurrencyConfigNotFoundException", 404,
                               "No Provisioned Concurrency Config found for this function")

    def test_unknown_function(self):
        calls = [
            lambda: self.lam.get_function_code_signing_config(FunctionName="ghost"),
            lambda: self.lam.get_runtime_management_config(FunctionName="ghost"),
            lambda: self.lam.get_function_recursion_config(FunctionName="ghost"),
            lambda: self.lam.get_function_url_config(FunctionName="ghost"),
            lambda: self.lam.list_function_url_configs(FunctionName="ghost"),
            lambda: self.lam.list_provisioned_concurrency_configs(FunctionName="ghost"),
            lambda: self.lam.get_provisioned_concurrency_config(FunctionName="ghost", Qualifier="1"),
        ]
        for call in calls:
            self.assertLambdaError(call, "ResourceNotFoundException", 404, message_prefix="Function not found: ")


class QualifiedTagTests(PolicyTestCase):
    MESSAGE = "Tags on function aliases and versions are not supported. Please specify a function ARN."

    def test_qualified_arns_are_refused(self):
        name = self.create_function(Tags={"team": "a"})["FunctionName"]
        for qualifier in ("$LATEST", "1", "live"):
            arn = function_arn(name, qualifier)
            self.assertLambdaError(lambda: self.lam.list_tags(Resource=arn), "InvalidParameterValueException", 400,
                                   self.MESSAGE)
            self.assertLambdaError(lambda: self.lam.tag_resource(Resource=arn, Tags={"b": "c"}),
                                   "InvalidParameterValueException", 400, self.MESSAGE)
            self.assertLambdaError(lambda: self.lam.untag_resource(Resource=arn, TagKeys=["team"]),
                                   "InvalidParameterValueException", 400, self.MESSAGE)
        self.assertEqual(self.lam.list_tags(Resource=function_arn(name))["Tags"], {"team": "a"})


class UnknownOperationTests(PolicyTestCase):
    def test_unemulated_operations_are_named(self):
        name = self.create_function()["FunctionName"]
        self.assertLambdaError(
            lambda: self.lam.put_function_code_signing_config(
                FunctionName=name,
                CodeSigningConfigArn="arn:aws:lambda:us-east-1:%s:code-signing-config:csc-0123456789abcdef0" % ACCOUNT),
            "UnknownOperationException", 404, "sqsemu does not emulate the Lambda operation PutFunctionCodeSigningConfig")
        self.assertLambdaError(lambda: self.lam.create_function_url_config(FunctionName=name, AuthType="NONE"),
                               "UnknownOperationException", 404,
                               "sqsemu does not emulate the Lambda operation CreateFunctionUrlConfig")
        self.assertLambdaError(
            lambda: self.lam.get_layer_version_by_arn(Arn="arn:aws:lambda:us-east-1:%s:layer:l:1" % ACCOUNT),
            "UnknownOperationException", 404, "sqsemu does not emulate the Lambda operation GetLayerVersionByArn")
        status, hdrs, body = self.raw_json("DELETE", "/2018-10-31/layers/l/versions/3")
        self.assertEqual((status, body["message"]),
                         (404, "sqsemu does not emulate the Lambda operation DeleteLayerVersion"))

    def test_paths_that_match_no_operation(self):
        for method, path in (("POST", "/2015-03-31/foo"), ("GET", "/2015-03-31/functions/x/nothing"),
                             ("PATCH", "/2015-03-31/functions/x"), ("PUT", "/2017-03-31/tags/arn:aws:x")):
            status, hdrs, body = self.raw_json(method, path)
            self.assertEqual((status, hdrs["x-amzn-errortype"]), (404, "UnknownOperationException"), path)
            self.assertEqual(body["message"], "sqsemu does not emulate this request: no Lambda operation "
                                              "matches %s %s" % (method, path))


if __name__ == "__main__":
    unittest.main()
