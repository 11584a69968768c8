// Prompts, resources, templates and completion through the official SDK
// client, as Claude Code uses them (slash commands, @-mentions).
import {
	PARTS, assert, cli, connect, done, ok, project, step,
} from './lib.mjs';

const dir = project('context');
const c = await connect(dir);
let id;

await step('capabilities: tools, prompts, resources, completions', async () => {
	const caps = c.client.getServerCapabilities();
	for (const k of ['tools', 'prompts', 'resources', 'completions'])
		assert.equal(typeof caps[k], 'object', k);
	assert.equal(caps.resources.subscribe, false);
	const r = await ok(c, 'qmb_start_session', { project_name: 'SalesModel' });
	id = r.structuredContent.session.session_id;
	await ok(c, 'qmb_approve_stage', { session_id: id, stage: 'A', script: PARTS.A });
});

await step('prompts/list: resume, review, recover with their arguments', async () => {
	const { prompts } = await c.client.listPrompts();
	assert.deepEqual(prompts.map((p) => [p.name, p.arguments.map((a) => [a.name, a.required])]),
		[['resume', [['project', false]]], ['review', [['session', true]]],
			['recover', [['session', true]]]]);
	for (const p of prompts)
		assert.ok(p.description.length > 30 && p.title, p.name);
});

await step('prompts/get resume: the saved state and the three choices', async () => {
	const r = await c.client.getPrompt({ name: 'resume', arguments: { project: 'SalesModel' } });
	assert.equal(r.messages.length, 1);
	assert.equal(r.messages[0].role, 'user');
	const text = r.messages[0].content.text;
	assert.ok(text.includes(cli(dir, 'qmb-session', ['show', id]).stdout), text);
	assert.ok(text.includes('[Continue] [Start over] [View saved]'));
	assert.ok(text.includes('mode "resume"') && text.includes('mode "new"'));
});

await step('prompts/get review and recover; a missing session is an error', async () => {
	let r = await c.client.getPrompt({ name: 'review', arguments: { session: id } });
	assert.match(r.messages[0].content.text, /Call qmb_request_review with session_id/);
	r = await c.client.getPrompt({ name: 'recover', arguments: { session: id } });
	assert.ok(r.messages[0].content.text.includes(
		cli(dir, 'qmb-recover', ['repair', '--dry-run', id]).stdout));
	assert.match(r.messages[0].content.text, /ask the user before repairing/);
	await assert.rejects(c.client.getPrompt({ name: 'review', arguments: { session: 'nope' } }),
		(e) => e.code === -32602 && /exit 3: not found/.test(e.message));
});

await step('resources/list, templates, and reading each kind', async () => {
	const { resources } = await c.client.listResources();
	assert.deepEqual(resources.map((r) => r.uri),
		['qmb://sessions', 'qmb://health', `qmb://sessions/${id}`]);
	const { resourceTemplates } = await c.client.listResourceTemplates();
	assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['qmb://sessions/{id}',
		'qmb://sessions/{id}/script', 'qmb://sessions/{id}/audit']);
	let r = await c.client.readResource({ uri: `qmb://sessions/${id}` });
	assert.equal(r.contents[0].mimeType, 'application/json');
	assert.equal(JSON.parse(r.contents[0].text).session_id, id);
	r = await c.client.readResource({ uri: `qmb://sessions/${id}/script` });
	assert.equal(r.contents[0].mimeType, 'text/x-qlik-script');
	assert.equal(r.contents[0].text, PARTS.A);
	r = await c.client.readResource({ uri: `qmb://sessions/${id}/audit` });
	const types = r.contents[0].text.trim().split('\n').map((l) => JSON.parse(l).type);
	assert.equal(types.length, 2);
	r = await c.client.readResource({ uri: 'qmb://sessions' });
	assert.equal(r.contents[0].text, cli(dir, 'qmb-session', ['list', '--all']).stdout);
	r = await c.client.readResource({ uri: 'qmb://health' });
	assert.match(r.contents[0].text, /^CHECK/);
	await assert.rejects(c.client.readResource({ uri: 'qmb://sessions/nope/script' }),
		(e) => e.code === -32002);
});

await step('completion of {id} and of a prompt argument', async () => {
	let r = await c.client.complete({ ref: { type: 'ref/resource', uri: 'qmb://sessions/{id}' },
		argument: { name: 'id', value: id.slice(0, 8) } });
	assert.deepEqual(r.completion.values, [id]);
	r = await c.client.complete({ ref: { type: 'ref/prompt', name: 'recover' },
		argument: { name: 'session', value: '' } });
	assert.deepEqual(r.completion.values, [id]);
	r = await c.client.complete({ ref: { type: 'ref/prompt', name: 'resume' },
		argument: { name: 'project', value: 'Sa' } });
	assert.deepEqual(r.completion.values, ['SalesModel']);
});

await step('the server wrote nothing to stderr', async () => {
	assert.equal(c.stderr(), '');
});

await c.client.close();
done();
