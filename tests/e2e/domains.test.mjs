// Domains, types and tags through the AWS SDK for JavaScript v3: signed requests, typed faults, paging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RegisterDomainCommand, DescribeDomainCommand, DeprecateDomainCommand, UndeprecateDomainCommand,
  RegisterActivityTypeCommand, DescribeActivityTypeCommand, DeprecateActivityTypeCommand, DeleteActivityTypeCommand,
  RegisterWorkflowTypeCommand, DescribeWorkflowTypeCommand, ListWorkflowTypesCommand,
  TagResourceCommand, UntagResourceCommand, ListTagsForResourceCommand,
  paginateListDomains, paginateListActivityTypes,
  DomainAlreadyExistsFault, DomainDeprecatedFault, UnknownResourceFault, TypeAlreadyExistsFault, TypeNotDeprecatedFault, TooManyTagsFault,
} from '@aws-sdk/client-swf';
import { client, unique } from './client.mjs';

const swf = client();

test('registers, describes and deprecates a domain, with typed faults', async () => {
  const name = unique('orders');
  await swf.send(new RegisterDomainCommand({ name, description: 'e2e', workflowExecutionRetentionPeriodInDays: '3' }));

  const detail = await swf.send(new DescribeDomainCommand({ name }));
  assert.equal(detail.domainInfo.name, name);
  assert.equal(detail.domainInfo.status, 'REGISTERED');
  assert.equal(detail.domainInfo.description, 'e2e');
  assert.match(detail.domainInfo.arn, new RegExp(`^arn:aws:swf:us-east-1:\\d{12}:/domain/${name}$`));
  assert.equal(detail.configuration.workflowExecutionRetentionPeriodInDays, '3');

  await assert.rejects(swf.send(new RegisterDomainCommand({ name, workflowExecutionRetentionPeriodInDays: '1' })),
    (e) => e instanceof DomainAlreadyExistsFault && e.$metadata.httpStatusCode === 400);
  await swf.send(new DeprecateDomainCommand({ name }));
  await assert.rejects(swf.send(new DeprecateDomainCommand({ name })), DomainDeprecatedFault);
  await assert.rejects(swf.send(new RegisterDomainCommand({ name, workflowExecutionRetentionPeriodInDays: '1' })), DomainAlreadyExistsFault);
  await swf.send(new UndeprecateDomainCommand({ name }));
  assert.equal((await swf.send(new DescribeDomainCommand({ name }))).domainInfo.status, 'REGISTERED');
  await assert.rejects(swf.send(new DescribeDomainCommand({ name: unique('absent') })), UnknownResourceFault);
});

test('lists domains page by page with the SDK paginator, nothing skipped or repeated', async () => {
  const prefix = unique('page');
  const names = Array.from({ length: 7 }, (_, i) => `${prefix}-${i}`);
  for (const name of names) await swf.send(new RegisterDomainCommand({ name, workflowExecutionRetentionPeriodInDays: '1' }));

  const seen = [];
  let pages = 0;
  for await (const page of paginateListDomains({ client: swf, pageSize: 3 }, { registrationStatus: 'REGISTERED' })) {
    pages++;
    assert.ok(page.domainInfos.length <= 3);
    seen.push(...page.domainInfos.map((d) => d.name));
  }
  const mine = seen.filter((n) => n.startsWith(prefix));
  assert.deepEqual(mine, names);
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(pages >= 3);
});

test('registers, lists, deprecates and deletes activity and workflow types', async () => {
  const domain = unique('types');
  await swf.send(new RegisterDomainCommand({ name: domain, workflowExecutionRetentionPeriodInDays: '1' }));
  for (const version of ['1', '2', '3']) {
    await swf.send(new RegisterActivityTypeCommand({
      domain, name: 'resize', version, defaultTaskList: { name: 'images' }, defaultTaskStartToCloseTimeout: '60',
      defaultTaskHeartbeatTimeout: 'NONE', defaultTaskScheduleToStartTimeout: '30', defaultTaskScheduleToCloseTimeout: '90',
    }));
  }
  await assert.rejects(swf.send(new RegisterActivityTypeCommand({ domain, name: 'resize', version: '1' })), TypeAlreadyExistsFault);

  const activity = await swf.send(new DescribeActivityTypeCommand({ domain, activityType: { name: 'resize', version: '2' } }));
  assert.equal(activity.typeInfo.status, 'REGISTERED');
  assert.ok(activity.typeInfo.creationDate instanceof Date);
  assert.equal(activity.configuration.defaultTaskList.name, 'images');
  assert.equal(activity.configuration.defaultTaskHeartbeatTimeout, 'NONE');

  const versions = [];
  for await (const page of paginateListActivityTypes({ client: swf, pageSize: 2 }, { domain, registrationStatus: 'REGISTERED', reverseOrder: true })) {
    versions.push(...page.typeInfos.map((t) => t.activityType.version));
  }
  assert.deepEqual(versions, ['3', '2', '1']);

  await assert.rejects(swf.send(new DeleteActivityTypeCommand({ domain, activityType: { name: 'resize', version: '1' } })), TypeNotDeprecatedFault);
  await swf.send(new DeprecateActivityTypeCommand({ domain, activityType: { name: 'resize', version: '1' } }));
  await swf.send(new DeleteActivityTypeCommand({ domain, activityType: { name: 'resize', version: '1' } }));
  await assert.rejects(swf.send(new DescribeActivityTypeCommand({ domain, activityType: { name: 'resize', version: '1' } })), UnknownResourceFault);

  await swf.send(new RegisterWorkflowTypeCommand({
    domain, name: 'order', version: '1', defaultChildPolicy: 'TERMINATE', defaultExecutionStartToCloseTimeout: '3600',
    defaultTaskStartToCloseTimeout: '10', defaultTaskList: { name: 'deciders' },
  }));
  const workflow = await swf.send(new DescribeWorkflowTypeCommand({ domain, workflowType: { name: 'order', version: '1' } }));
  assert.equal(workflow.configuration.defaultChildPolicy, 'TERMINATE');
  const listed = await swf.send(new ListWorkflowTypesCommand({ domain, registrationStatus: 'REGISTERED' }));
  assert.deepEqual(listed.typeInfos.map((t) => t.workflowType.name), ['order']);
});

test('tags domains by ARN and enforces the 50-tag limit', async () => {
  const name = unique('tagged');
  await swf.send(new RegisterDomainCommand({ name, workflowExecutionRetentionPeriodInDays: '1', tags: [{ key: 'team', value: 'a' }] }));
  const resourceArn = (await swf.send(new DescribeDomainCommand({ name }))).domainInfo.arn;

  await swf.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'env', value: 'dev' }] }));
  await swf.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team'] }));
  assert.deepEqual((await swf.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [{ key: 'env', value: 'dev' }]);

  const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  await assert.rejects(swf.send(new TagResourceCommand({ resourceArn, tags: many })), TooManyTagsFault);
  assert.equal((await swf.send(new ListTagsForResourceCommand({ resourceArn }))).tags.length, 1);
});

test('rejects requests signed with an unknown key or a wrong secret', async () => {
  const stranger = client({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' });
  await assert.rejects(stranger.send(new DescribeDomainCommand({ name: 'x' })), (e) => e.name === 'UnrecognizedClientException');
  const wrongSecret = client({ accessKeyId: process.env.SWF_E2E_ACCESS_KEY_ID ?? 'AKIDLOCALDEVELOPMENT', secretAccessKey: 'wrong' });
  await assert.rejects(wrongSecret.send(new DescribeDomainCommand({ name: 'x' })), (e) => e.name === 'InvalidSignatureException');
});
