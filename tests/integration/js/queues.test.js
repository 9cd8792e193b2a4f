// Queue management through @aws-sdk/client-sqs: create/get/list/attributes/delete,
// tags, permissions and dead-letter source listing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  RemovePermissionCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";

import { ACCOUNT, REGION, expectError, unique } from "./server.js";
import { sqsSuite } from "./sqs_util.js";

const STANDARD_ALL_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesDelayed",
  "ApproximateNumberOfMessagesNotVisible",
  "CreatedTimestamp",
  "DelaySeconds",
  "LastModifiedTimestamp",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "QueueArn",
  "ReceiveMessageWaitTimeSeconds",
  "SqsManagedSseEnabled",
  "VisibilityTimeout",
];

const FIFO_EXTRA_ATTRIBUTES = ["ContentBasedDeduplication", "DeduplicationScope", "FifoQueue", "FifoThroughputLimit"];

describe("queues (JS SDK v3)", () => {
  let server;
  let sqs;
  const { attributes } = sqsSuite((env) => ({ server, sqs } = env));

  const create = async (name, Attributes, tags) => {
    const res = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes, tags }));
    return res.QueueUrl;
  };

  it("CreateQueue returns a URL built from the endpoint, account and name; GetQueueUrl agrees", async () => {
    const name = unique("create");
    const url = await create(name);
    assert.equal(url, `${server.endpoint}/${ACCOUNT}/${name}`);
    const got = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    assert.equal(got.QueueUrl, url);
    assert.equal(typeof got.$metadata.requestId, "string");
    assert.ok(got.$metadata.requestId.length > 0, "x-amzn-RequestId must be present");
    const owned = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: ACCOUNT }));
    assert.equal(owned.QueueUrl, url);
  });

  it("a QueueUrl is resolved from its path: any host works, and a bare queue name is accepted", async () => {
    const name = unique("resolve");
    await create(name);
    const viaOtherHost = await attributes(`http://localhost:1/${ACCOUNT}/${name}`, ["QueueArn"]);
    assert.equal(viaOtherHost.QueueArn, `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`);
    const viaName = await attributes(name, ["QueueArn"]);
    assert.equal(viaName.QueueArn, `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`);
  });

  it("GetQueueAttributes All on a fresh standard queue returns exactly the AWS set with defaults", async () => {
    const name = unique("attrs");
    const before = Math.floor(Date.now() / 1000);
    const url = await create(name);
    const after = Math.ceil(Date.now() / 1000);
    const attrs = await attributes(url);
    assert.deepEqual(Object.keys(attrs).sort(), STANDARD_ALL_ATTRIBUTES);
    assert.equal(attrs.ApproximateNumberOfMessages, "0");
    assert.equal(attrs.ApproximateNumberOfMessagesDelayed, "0");
    assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, "0");
    assert.equal(attrs.DelaySeconds, "0");
    assert.equal(attrs.MaximumMessageSize, "1048576");
    assert.equal(attrs.MessageRetentionPeriod, "345600");
    assert.equal(attrs.ReceiveMessageWaitTimeSeconds, "0");
    assert.equal(attrs.SqsManagedSseEnabled, "true");
    assert.equal(attrs.VisibilityTimeout, "30");
    assert.equal(attrs.QueueArn, `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`);
    assert.match(attrs.CreatedTimestamp, /^\d+$/);
    const created = Number(attrs.CreatedTimestamp);
    assert.ok(created >= before - 1 && created <= after + 1, `CreatedTimestamp ${created} is epoch seconds of now`);
    assert.match(attrs.LastModifiedTimestamp, /^\d+$/);
    assert.ok(Number(attrs.LastModifiedTimestamp) >= created);
  });

  it("GetQueueAttributes with named attributes returns only those; with none returns nothing", async () => {
    const url = await create(unique("named"));
    const some = await attributes(url, ["VisibilityTimeout", "QueueArn"]);
    assert.deepEqual(Object.keys(some).sort(), ["QueueArn", "VisibilityTimeout"]);
    const none = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url }));
    assert.equal(none.Attributes, undefined);
  });

  it("CreateQueue with Attributes and tags stores both", async () => {
    const name = unique("withattrs");
    const url = await create(name, {
      VisibilityTimeout: "45",
      DelaySeconds: "2",
      MaximumMessageSize: "2048",
      MessageRetentionPeriod: "3600",
      ReceiveMessageWaitTimeSeconds: "3",
    }, { env: "dev", team: "core" });
    const attrs = await attributes(url);
    assert.equal(attrs.VisibilityTimeout, "45");
    assert.equal(attrs.DelaySeconds, "2");
    assert.equal(attrs.MaximumMessageSize, "2048");
    assert.equal(attrs.MessageRetentionPeriod, "3600");
    assert.equal(attrs.ReceiveMessageWaitTimeSeconds, "3");
    const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(tags.Tags, { env: "dev", team: "core" });
  });

  it("CreateQueue is idempotent for equal attributes and fails with QueueNameExists for different ones", async () => {
    const name = unique("idem");
    const url = await create(name, { VisibilityTimeout: "30" });
    assert.equal(await create(name), url);
    assert.equal(await create(name, { VisibilityTimeout: "30" }), url);
    // Equal to the effective default value, though not given at creation.
    assert.equal(await create(name, { DelaySeconds: "0" }), url);
    const err = await expectError(() => create(name, { VisibilityTimeout: "60" }));
    assert.equal(err.name, "QueueNameExists");
    assert.equal(err.Code, "QueueAlreadyExists");
    assert.equal(err.$fault, "client");
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, "A queue already exists with the same name and a different value for attribute VisibilityTimeout");
  });

  it("SetQueueAttributes changes values and they read back", async () => {
    const url = await create(unique("set"));
    await sqs.send(new SetQueueAttributesCommand({
      QueueUrl: url,
      Attributes: { VisibilityTimeout: "120", DelaySeconds: "5", MaximumMessageSize: "4096" },
    }));
    const attrs = await attributes(url);
    assert.equal(attrs.VisibilityTimeout, "120");
    assert.equal(attrs.DelaySeconds, "5");
    assert.equal(attrs.MaximumMessageSize, "4096");
    assert.ok(Number(attrs.LastModifiedTimestamp) >= Number(attrs.CreatedTimestamp));
  });

  it("SetQueueAttributes rejects unknown and read-only attribute names and out-of-range values", async () => {
    const url = await create(unique("badset"));
    let err = await expectError(() => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Bogus: "1" } })));
    assert.equal(err.name, "InvalidAttributeName");
    assert.equal(err.Code, "InvalidAttributeName");
    assert.equal(err.$fault, "client");
    assert.equal(err.message, "Unknown Attribute Bogus.");

    err = await expectError(() => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { QueueArn: "x" } })));
    assert.equal(err.name, "InvalidAttributeName");

    err = await expectError(() => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "43201" } })));
    assert.equal(err.name, "InvalidAttributeValue");
    assert.equal(err.Code, "InvalidAttributeValue");
    assert.equal(err.message, "Invalid value for the parameter VisibilityTimeout.");

    const attrs = await attributes(url, ["VisibilityTimeout"]);
    assert.equal(attrs.VisibilityTimeout, "30", "a rejected update must not change the queue");
  });

  it("GetQueueAttributes with an unknown name fails with InvalidAttributeName", async () => {
    const url = await create(unique("badget"));
    const err = await expectError(() => attributes(url, ["NoSuchAttribute"]));
    assert.equal(err.name, "InvalidAttributeName");
    assert.equal(err.message, "Unknown Attribute NoSuchAttribute.");
  });

  it("a FIFO queue reports the FIFO attributes with their defaults", async () => {
    const name = unique("fifo") + ".fifo";
    const url = await create(name, { FifoQueue: "true" });
    assert.equal(url, `${server.endpoint}/${ACCOUNT}/${name}`);
    const attrs = await attributes(url);
    assert.deepEqual(Object.keys(attrs).sort(), [...STANDARD_ALL_ATTRIBUTES, ...FIFO_EXTRA_ATTRIBUTES].sort());
    assert.equal(attrs.FifoQueue, "true");
    assert.equal(attrs.ContentBasedDeduplication, "false");
    assert.equal(attrs.DeduplicationScope, "queue");
    assert.equal(attrs.FifoThroughputLimit, "perQueue");
  });

  it("CreateQueue rejects FIFO attributes on a standard queue and bad names", async () => {
    let err = await expectError(() => create(unique("std"), { FifoQueue: "false" }));
    assert.equal(err.name, "InvalidAttributeName");
    err = await expectError(() => create(unique("nosuffix"), { FifoQueue: "true" }));
    assert.equal(err.name, "InvalidParameterValue");
    assert.equal(err.Code, "InvalidParameterValue");
    err = await expectError(() => create("bad name!"));
    assert.equal(err.name, "InvalidParameterValue");
    err = await expectError(() => create("x".repeat(81)));
    assert.equal(err.name, "InvalidParameterValue");
  });

  it("ListQueues filters by prefix and paginates with MaxResults/NextToken", async () => {
    const prefix = unique("list");
    const urls = [];
    for (const suffix of ["a", "b", "c"]) urls.push(await create(`${prefix}-${suffix}`));
    const other = await create(unique("other"));

    const all = await sqs.send(new ListQueuesCommand({}));
    for (const u of [...urls, other]) assert.ok(all.QueueUrls.includes(u), `${u} listed`);

    const filtered = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    assert.deepEqual([...filtered.QueueUrls].sort(), [...urls].sort());
    assert.equal(filtered.NextToken, undefined, "no NextToken without MaxResults");

    const seen = [];
    let NextToken;
    for (let page = 0; page < 10; page++) {
      const res = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken }));
      assert.ok(res.QueueUrls.length <= 2);
      seen.push(...res.QueueUrls);
      NextToken = res.NextToken;
      if (!NextToken) break;
    }
    assert.deepEqual([...seen].sort(), [...urls].sort());

    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: unique("nothing-here") }));
    assert.equal(none.QueueUrls, undefined, "an empty list is omitted");

    // Prefix match is case-sensitive.
    const upper = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix.toUpperCase() }));
    assert.equal(upper.QueueUrls, undefined);
  });

  it("DeleteQueue removes the queue", async () => {
    const name = unique("del");
    const url = await create(name);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const err = await expectError(() => sqs.send(new GetQueueUrlCommand({ QueueName: name })));
    assert.equal(err.name, "QueueDoesNotExist");
    assert.equal(err.Code, "AWS.SimpleQueueService.NonExistentQueue");
    const list = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    assert.equal(list.QueueUrls, undefined);
    const err2 = await expectError(() => attributes(url));
    assert.equal(err2.name, "QueueDoesNotExist");
  });

  it("TagQueue / ListQueueTags / UntagQueue", async () => {
    const url = await create(unique("tags"));
    const empty = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(empty.Tags ?? {}, {});

    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: "dev", owner: "me", Case: "Upper" } }));
    let res = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(res.Tags, { env: "dev", owner: "me", Case: "Upper" });

    // Same key overwrites; keys are case-sensitive.
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: "prod", case: "lower" } }));
    res = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(res.Tags, { env: "prod", owner: "me", Case: "Upper", case: "lower" });

    // Unknown keys are ignored.
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["owner", "Case", "does-not-exist"] }));
    res = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(res.Tags, { env: "prod", case: "lower" });

    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["env", "case"] }));
    res = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    assert.deepEqual(res.Tags ?? {}, {});
  });

  it("AddPermission writes a policy statement; RemovePermission removes it", async () => {
    const name = unique("perm");
    const url = await create(name);
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    await sqs.send(new AddPermissionCommand({
      QueueUrl: url, Label: "send-from-partner", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"],
    }));
    let attrs = await attributes(url, ["Policy"]);
    const policy = JSON.parse(attrs.Policy);
    assert.equal(policy.Version, "2008-10-17");
    assert.equal(policy.Statement.length, 1);
    const st = policy.Statement[0];
    assert.equal(st.Sid, "send-from-partner");
    assert.equal(st.Effect, "Allow");
    assert.deepEqual(st.Principal, { AWS: "arn:aws:iam::111122223333:root" });
    assert.equal(st.Action, "SQS:SendMessage");
    assert.equal(st.Resource, arn);

    await sqs.send(new AddPermissionCommand({
      QueueUrl: url, Label: "two", AWSAccountIds: ["111122223333", "444455556666"],
      Actions: ["ReceiveMessage", "DeleteMessage"],
    }));
    attrs = await attributes(url, ["Policy"]);
    const two = JSON.parse(attrs.Policy).Statement.find((s) => s.Sid === "two");
    assert.ok(two, "second statement present");
    assert.deepEqual([...two.Principal.AWS].sort(), ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]);
    assert.deepEqual([...two.Action].sort(), ["SQS:DeleteMessage", "SQS:ReceiveMessage"]);

    const dup = await expectError(() => sqs.send(new AddPermissionCommand({
      QueueUrl: url, Label: "two", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"],
    })));
    assert.equal(dup.name, "InvalidParameterValue");
    assert.equal(dup.message, "Value two for parameter Label is invalid. Reason: Already exists.");

    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "send-from-partner" }));
    attrs = await attributes(url, ["Policy"]);
    assert.deepEqual(JSON.parse(attrs.Policy).Statement.map((s) => s.Sid), ["two"]);
    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "two" }));
    attrs = await attributes(url, ["All"]);
    assert.equal(attrs.Policy, undefined, "removing the last statement removes the Policy attribute");

    const missing = await expectError(() => sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "nope" })));
    assert.equal(missing.name, "InvalidParameterValue");
    assert.equal(missing.message, "Value nope for parameter Label is invalid. Reason: can't find label.");
  });

  it("ListDeadLetterSourceQueues lists queues whose RedrivePolicy targets the DLQ", async () => {
    const dlqName = unique("dlq");
    const dlqUrl = await create(dlqName);
    const dlqArn = (await attributes(dlqUrl, ["QueueArn"])).QueueArn;

    const none = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual(none.queueUrls ?? [], []);

    const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
    const src1 = await create(unique("src"), { RedrivePolicy: redrive });
    const src2 = await create(unique("src"));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: src2, Attributes: { RedrivePolicy: redrive } }));
    await create(unique("unrelated"));

    const res = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual([...res.queueUrls].sort(), [src1, src2].sort());

    // The stored policy is normalised JSON with a numeric maxReceiveCount.
    const stored = JSON.parse((await attributes(src1, ["RedrivePolicy"])).RedrivePolicy);
    assert.deepEqual(stored, { deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });

    // A numeric-string maxReceiveCount is accepted too; "" removes the policy.
    await sqs.send(new SetQueueAttributesCommand({
      QueueUrl: src2,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "2" }) },
    }));
    const src2Policy = JSON.parse((await attributes(src2, ["RedrivePolicy"])).RedrivePolicy);
    assert.equal(src2Policy.maxReceiveCount, 2);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: src2, Attributes: { RedrivePolicy: "" } }));
    assert.equal((await attributes(src2)).RedrivePolicy, undefined);
    const after = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual(after.queueUrls, [src1]);
  });

  it("a RedrivePolicy naming a missing DLQ or an out-of-range maxReceiveCount is rejected", async () => {
    const url = await create(unique("badredrive"));
    let err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
      QueueUrl: url,
      Attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${unique("missing")}`, maxReceiveCount: 3,
        }),
      },
    })));
    assert.equal(err.name, "InvalidParameterValue");
    const dlqUrl = await create(unique("dlq"));
    const dlqArn = (await attributes(dlqUrl, ["QueueArn"])).QueueArn;
    err = await expectError(() => sqs.send(new SetQueueAttributesCommand({
      QueueUrl: url, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1001 }) },
    })));
    assert.equal(err.name, "InvalidParameterValue");
    assert.equal((await attributes(url)).RedrivePolicy, undefined);
  });
});
