// qmb-mcp through the official SDK client: initialize, the tool list, and
// every tool once with a success and once with a failure whose text and
// exit code are the CLI's.
import fs from 'node:fs';
import path from 'node:path';

import {
	PARTS, assert, built, call, cli, connect, done, failsLikeCli, note, ok,
	project, step,
} from './lib.mjs';

const TOOLS = [
	'qmb_append_audit', 'qmb_approve_stage', 'qmb_archive_session',
	'qmb_bypass_review', 'qmb_check_sessions',
	'qmb_complete_session', 'qmb_export_session', 'qmb_get_script',
	'qmb_health', 'qmb_import_session', 'qmb_list_sessions', 'qmb_read_log',
	'qmb_recover_session',
	'qmb_request_review', 'qmb_resume_session', 'qmb_revert_stage',
	'qmb_rotate_logs', 'qmb_session_status', 'qmb_set_model_type',
	'qmb_start_session', 'qmb_update_tables', 'qmb_verify_audit',
	'qmb_write_log',
];
const READ_ONLY = new Set(['qmb_list_sessions', 'qmb_export_session',
	'qmb_session_status', 'qmb_get_script', 'qmb_read_log', 'qmb_verify_audit',
	'qmb_check_sessions', 'qmb_health']);
const DESTRUCTIVE = new Set(['qmb_revert_stage', 'qmb_recover_session',
	'qmb_archive_session', 'qmb_import_session', 'qmb_rotate_logs']);
const IDEMPOTENT = new Set([...READ_ONLY, 'qmb_set_model_type']);
const OPEN_WORLD = new Set(['qmb_request_review']);

const dir = project('tools');
// a project whose .qmb is a file: every program refuses it
const broken = project('broken');
fs.writeFileSync(path.join(broken, '.qmb'), 'not a folder\n');

// Gemini here is a closed local port: no review ever leaves the machine
const c = await connect(dir, { QMB_GEMINI_URL: 'http://127.0.0.1:9',
	GEMINI_API_KEY: 'fake-key-for-tests', QMB_REVIEW_ATTEMPTS: '1' });
const b = await connect(broken);
let id;

await step('initialize: server info, capabilities, instructions', async () => {
	const info = c.client.getServerVersion();
	assert.equal(info.name, 'qmb');
	assert.match(info.version, /^\d+\.\d+\.\d+/);
	assert.equal(typeof c.client.getServerCapabilities().tools, 'object');
	assert.match(c.client.getInstructions(), /qmb_start_session/);
});

await step('tools/list: every tool, schemas closed, annotations right', async () => {
	assert.deepEqual(c.tools.map((t) => t.name).sort(), TOOLS);
	for (const t of c.tools) {
		const s = t.inputSchema;
		assert.equal(s.type, 'object', t.name);
		assert.equal(s.additionalProperties, false, `${t.name} inputSchema`);
		for (const r of s.required ?? [])
			assert.ok(r in s.properties, `${t.name} requires unknown ${r}`);
		for (const [k, p] of Object.entries(s.properties))
			assert.ok(p.description?.length > 5, `${t.name}.${k} undescribed`);
		assert.equal(t.outputSchema?.type, 'object', `${t.name} outputSchema`);
		// for tool search: what it does, then when to use it
		const [what, when, ...rest] = t.description.split('\n');
		assert.ok(what.length > 30 && what.endsWith('.'), `${t.name} description`);
		assert.match(when, /^Use /, `${t.name}: when to use it`);
		assert.deepEqual(rest, [], `${t.name}: two lines`);
		assert.ok(t.outputSchema.properties.message, `${t.name}: message`);
		assert.ok(t.outputSchema.anyOf[0].required.includes('message'), `${t.name}: message required`);
		assert.ok(t.title, `${t.name} title`);
		const a = t.annotations;
		assert.equal(a.readOnlyHint, READ_ONLY.has(t.name), `${t.name} readOnlyHint`);
		assert.equal(a.destructiveHint, DESTRUCTIVE.has(t.name), `${t.name} destructiveHint`);
		assert.equal(a.openWorldHint, OPEN_WORLD.has(t.name), `${t.name} openWorldHint`);
		assert.equal(a.idempotentHint, IDEMPOTENT.has(t.name), `${t.name} idempotentHint`);
	}
	const approve = c.tools.find((t) => t.name === 'qmb_approve_stage');
	assert.deepEqual(approve.inputSchema.required, ['session_id', 'stage', 'script']);
	assert.deepEqual(approve.inputSchema.properties.stage.enum, ['A', 'B', 'C', 'D', 'E', 'F']);
});

await step('SDK: bad arguments are a JSON-RPC error (-32602)', async () => {
	await assert.rejects(call(c, 'qmb_session_status', {}), (e) => e.code === -32602);
	await assert.rejects(call(c, 'qmb_session_status', { session_id: 'x', colour: 1 }),
		(e) => e.code === -32602 && /colour/.test(e.message));
	await assert.rejects(call(c, 'qmb_no_such_tool', {}), (e) => e.code === -32602);
	await assert.rejects(c.client.request({ method: 'resources/subscribe', params: { uri: 'qmb://sessions' } },
		(await import('@modelcontextprotocol/sdk/types.js')).EmptyResultSchema),
	(e) => e.code === -32601);
	await c.client.ping();
});

await step('qmb_start_session: created, then found, then resumed', async () => {
	let r = await ok(c, 'qmb_start_session', { project_name: 'SalesModel', model_type: 'star_schema' });
	assert.equal(r.structuredContent.outcome, 'created');
	id = r.structuredContent.session.session_id;
	// what start prints when it creates: the id
	assert.equal(r.structuredContent.message, `${id}\n`);
	assert.match(r.structuredContent.next, /qmb_approve_stage/);
	assert.equal(r.content[0].text, `${id}\n\n${r.structuredContent.next}\n`);
	assert.equal(r.structuredContent.session.model_type, 'star_schema');
	r = await ok(c, 'qmb_start_session', { project_name: 'SalesModel' });
	assert.equal(r.structuredContent.outcome, 'found');
	assert.equal(r.structuredContent.session.session_id, id);
	assert.equal(r.structuredContent.message,
		cli(dir, 'qmb-session', ['start', 'SalesModel']).stdout);
	assert.match(r.content[0].text, /^Found saved session:/);
	assert.ok(r.structuredContent.next.includes('[Continue] [Start over] [View saved]'));
	r = await ok(c, 'qmb_start_session', { project_name: 'SalesModel', mode: 'resume' });
	assert.equal(r.structuredContent.outcome, 'resumed');
	assert.equal(r.structuredContent.session.session_id, id);
	assert.equal(r.structuredContent.message,
		cli(dir, 'qmb-session', ['start', '--resume', 'SalesModel']).stdout);
	assert.match(r.content[0].text, /^✓ Session restored: SalesModel\n/);
	assert.ok(r.structuredContent.message.includes('Continuing from Stage A...'));
});

await step('qmb_start_session: failure is the CLI message', async () => {
	await failsLikeCli(c, dir, 'qmb_start_session', { project_name: '' },
		'qmb-session', ['start', '']);
});

await step('qmb_list_sessions: the seed list; failure', async () => {
	const r = await ok(c, 'qmb_list_sessions');
	assert.equal(r.structuredContent.count, 1);
	assert.equal(r.structuredContent.sessions[0].session_id, id);
	assert.equal(r.structuredContent.message, cli(dir, 'qmb-session', ['list']).stdout);
	assert.equal(r.content[0].text, r.structuredContent.message);
	const none = await ok(c, 'qmb_list_sessions', { project_name: 'Other' });
	assert.equal(none.structuredContent.count, 0);
	await failsLikeCli(b, broken, 'qmb_list_sessions', {}, 'qmb-session', ['list']);
});

await step('qmb_set_model_type: success and failure', async () => {
	const r = await ok(c, 'qmb_set_model_type', { session_id: id, model_type: 'snowflake' });
	assert.equal(r.structuredContent.session.model_type, 'snowflake');
	assert.ok(r.structuredContent.message.length > 0);
	await failsLikeCli(c, dir, 'qmb_set_model_type', { session_id: 'nope', model_type: 'snowflake' },
		'qmb-session', ['set-model', 'nope', 'snowflake']);
});

await step('qmb_update_tables: set, add, remove; failure', async () => {
	let r = await ok(c, 'qmb_update_tables', { session_id: id, tables: { set: ['FACT_A'], add: ['FACT_B', 'FACT_C'], remove: ['FACT_A'] } });
	assert.deepEqual(r.structuredContent.session.pending_tables, ['FACT_B', 'FACT_C']);
	r = await ok(c, 'qmb_update_tables', { session_id: id, tables: { remove: ['FACT_C'] } });
	assert.deepEqual(r.structuredContent.session.pending_tables, ['FACT_B']);
	await failsLikeCli(c, dir, 'qmb_update_tables', { session_id: id, tables: { remove: ['NOPE'] } },
		'qmb-session', ['tables', id, 'remove', 'NOPE']);
});

await step('qmb_approve_stage: success and a stage-order failure', async () => {
	let r = await ok(c, 'qmb_approve_stage', { session_id: id, stage: 'A', script: PARTS.A });
	assert.equal(r.structuredContent.message, 'Stage A: Configuration approved. Next: Stage B: Dimensions.\n');
	assert.equal(r.content[0].text, r.structuredContent.message);
	assert.deepEqual(r.structuredContent.session.completed_stages, ['A']);
	r = await ok(c, 'qmb_approve_stage', { session_id: id, stage: 'B', script: PARTS.B });
	assert.equal(r.structuredContent.session.current_stage, 'C');
	await failsLikeCli(c, dir, 'qmb_approve_stage', { session_id: id, stage: 'D', script: PARTS.D },
		'qmb-session', ['approve', id, 'D', '-'], PARTS.D);
});

await step('qmb_revert_stage: success and failure', async () => {
	const r = await ok(c, 'qmb_revert_stage', { session_id: id, stage: 'B' });
	assert.deepEqual(r.structuredContent.session.completed_stages, ['A']);
	await failsLikeCli(c, dir, 'qmb_revert_stage', { session_id: id, stage: 'E' },
		'qmb-session', ['revert', id, 'E']);
	await ok(c, 'qmb_approve_stage', { session_id: id, stage: 'B', script: PARTS.B });
});

await step('qmb_session_status: success and failure', async () => {
	const r = await ok(c, 'qmb_session_status', { session_id: id });
	assert.deepEqual(r.structuredContent.session.completed_stages, ['A', 'B']);
	assert.equal(r.structuredContent.last_review, null);
	assert.equal(r.structuredContent.message, cli(dir, 'qmb-session', ['show', id]).stdout);
	await failsLikeCli(c, dir, 'qmb_session_status', { session_id: 'nope' },
		'qmb-session', ['show', 'nope']);
});

await step('qmb_get_script: all parts, one part; failure', async () => {
	let r = await ok(c, 'qmb_get_script', { session_id: id });
	assert.equal(r.structuredContent.script, cli(dir, 'qmb-session', ['script', id]).stdout);
	assert.equal(r.structuredContent.message, r.structuredContent.script);
	assert.match(r.structuredContent.script_sha256, /^[0-9a-f]{64}$/);
	r = await ok(c, 'qmb_get_script', { session_id: id, stage: 'B' });
	assert.equal(r.structuredContent.script, PARTS.B);
	await failsLikeCli(c, dir, 'qmb_get_script', { session_id: id, stage: 'E' },
		'qmb-session', ['script', id, '--stage', 'E']);
});

await step('qmb_resume_session: the restore view; failure', async () => {
	const r = await ok(c, 'qmb_resume_session', { session_id: id });
	assert.equal(r.structuredContent.message,
		'✓ Session restored: SalesModel\n\nProgress recovered:\n' +
		'✅ Stage A: Configuration (approved)\n✅ Stage B: Dimensions - 1 table (approved)\n' +
		'○ Stage C: Facts - ready to build\n○ Stage D-F: Pending\n\n' +
		'Continuing from Stage C...\n');
	assert.equal(r.structuredContent.message, cli(dir, 'qmb-session', ['resume', id]).stdout);
	assert.equal(r.structuredContent.session.session_id, id);
	await failsLikeCli(c, dir, 'qmb_resume_session', { session_id: 'nope' },
		'qmb-session', ['resume', 'nope']);
});

await step('qmb_export_session: inline; failure', async () => {
	const r = await ok(c, 'qmb_export_session', { session_id: id });
	const want = JSON.parse(cli(dir, 'qmb-session', ['export', id, '--json']).stdout);
	assert.equal(r.structuredContent.inline, true);
	assert.deepEqual(r.structuredContent.session, want);
	assert.deepEqual(JSON.parse(r.content[0].text), want);
	assert.equal(r.structuredContent.message, cli(dir, 'qmb-session', ['export', id]).stdout);
	await failsLikeCli(c, dir, 'qmb_export_session', { session_id: 'nope' },
		'qmb-session', ['export', 'nope']);
});

await step('qmb_export_session: a large state goes to a file', async () => {
	const big = await ok(c, 'qmb_start_session', { project_name: 'BigModel' });
	const bid = big.structuredContent.session.session_id;
	const part = '// filler\n'.repeat(30000);
	await ok(c, 'qmb_approve_stage', { session_id: bid, stage: 'A', script: part });
	const r = await ok(c, 'qmb_export_session', { session_id: bid });
	assert.equal(r.structuredContent.inline, false);
	assert.ok(r.structuredContent.bytes > 256 * 1024);
	const file = r.structuredContent.path;
	assert.ok(file.startsWith(path.join(dir, '.qmb/exports/')), file);
	assert.equal((fs.statSync(file).mode & 0o777), 0o600);
	assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')),
		JSON.parse(cli(dir, 'qmb-session', ['export', bid, '--json']).stdout));
	assert.ok(r.content[0].text.includes(file));
	assert.ok(r.content[0].text.length < 1000);
	assert.equal(r.structuredContent.summary.session_id, bid);
});

await step('qmb_read_log: session log, global log; failure', async () => {
	const r = await ok(c, 'qmb_read_log', { session_id: id, limit: 3 });
	assert.equal(r.structuredContent.count, 3);
	const all = cli(dir, 'qmb-log', ['show', id, '--json', '-n', '3']).stdout
		.trim().split('\n').map((l) => JSON.parse(l));
	assert.deepEqual(r.structuredContent.entries, all);
	assert.equal(r.structuredContent.message,
		cli(dir, 'qmb-log', ['show', id, '--pretty', '-n', '3']).stdout);
	const g = await ok(c, 'qmb_read_log', {});
	assert.equal(g.structuredContent.count, 0);
	assert.equal(g.structuredContent.message, '');
	assert.equal(g.content[0].text, 'No log entries.');
	await failsLikeCli(c, dir, 'qmb_read_log', { session_id: id, since: 'garbage' },
		'qmb-log', ['show', id, '--since', 'garbage']);
	await failsLikeCli(c, dir, 'qmb_read_log', { session_id: 'nope' },
		'qmb-log', ['show', 'nope']);
	await failsLikeCli(b, broken, 'qmb_read_log', {}, 'qmb-log', ['show', '--global']);
});

await step('qmb_complete_session: failure before six stages', async () => {
	await failsLikeCli(c, dir, 'qmb_complete_session', { session_id: id },
		'qmb-session', ['complete', id]);
});

await step('qmb_verify_audit: intact, broken, failure', async () => {
	let r = await ok(c, 'qmb_verify_audit', { session_id: id });
	assert.equal(r.structuredContent.intact, true);
	assert.equal(r.structuredContent.trails.length, 1);
	r = await ok(c, 'qmb_verify_audit', {});
	assert.equal(r.structuredContent.trails.length, 2);
	await failsLikeCli(c, dir, 'qmb_verify_audit', { session_id: 'nope' },
		'qmb-audit', ['verify', 'nope']);
	await failsLikeCli(b, broken, 'qmb_verify_audit', {}, 'qmb-audit', ['verify', '--all']);
	// a changed approved part breaks the chain: a finding, not an error
	const t = await ok(c, 'qmb_start_session', { project_name: 'Tampered' });
	const tid = t.structuredContent.session.session_id;
	await ok(c, 'qmb_approve_stage', { session_id: tid, stage: 'A', script: PARTS.A });
	const f = path.join(dir, '.qmb/audit', `${tid}.audit.json`);
	fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('ThousandSep', 'ThousandSeq'));
	r = await ok(c, 'qmb_verify_audit', { session_id: tid });
	assert.equal(r.structuredContent.intact, false);
	assert.equal(r.structuredContent.trails[0].bad_seq, 2);
});

// The tools of programs that may not be built yet.
async function missing(prog, name, args) {
	const r = await call(c, name, args);
	assert.equal(r.isError, true);
	assert.equal(r.structuredContent.exit_code, 127);
	note(`${prog} is not built: ${name} checked for its failure only`);
}

// A session with all six stages approved.
async function sixStages(name) {
	const r = await ok(c, 'qmb_start_session', { project_name: name });
	const sid = r.structuredContent.session.session_id;
	for (const [s, part] of Object.entries(PARTS))
		await ok(c, 'qmb_approve_stage', { session_id: sid, stage: s, script: part });
	return sid;
}

await step('qmb_check_sessions: success and failure', async () => {
	if (!built('qmb-recover'))
		return missing('qmb-recover', 'qmb_check_sessions', {});
	let r = await ok(c, 'qmb_check_sessions', {});
	const lines = cli(dir, 'qmb-recover', ['check', '--all', '--json']).stdout.trim().split('\n');
	assert.equal(r.structuredContent.sessions.length, lines.length);
	assert.equal(r.structuredContent.message, cli(dir, 'qmb-recover', ['check', '--all']).stdout);
	r = await ok(c, 'qmb_check_sessions', { session_id: id });
	assert.equal(r.structuredContent.sessions.length, 1);
	assert.equal(r.structuredContent.sessions[0].verdict, 'ok');
	await failsLikeCli(c, dir, 'qmb_check_sessions', { session_id: 'nope' },
		'qmb-recover', ['check', 'nope']);
});

await step('qmb_recover_session: a damaged state repaired; failure', async () => {
	if (!built('qmb-recover'))
		return missing('qmb-recover', 'qmb_recover_session', { session_id: id });
	const d = await ok(c, 'qmb_start_session', { project_name: 'Damaged' });
	const did = d.structuredContent.session.session_id;
	await ok(c, 'qmb_approve_stage', { session_id: did, stage: 'A', script: PARTS.A });
	fs.writeFileSync(path.join(dir, '.qmb/sessions', `${did}.json`), '{"version":1,');
	await failsLikeCli(c, dir, 'qmb_approve_stage', { session_id: did, stage: 'B', script: PARTS.B },
		'qmb-session', ['approve', did, 'B', '-'], PARTS.B);
	let r = await ok(c, 'qmb_recover_session', { session_id: did, dry_run: true });
	assert.equal(r.structuredContent.exit_code, 0);
	assert.equal(r.structuredContent.message,
		cli(dir, 'qmb-recover', ['repair', '--dry-run', did]).stdout);
	assert.equal(r.structuredContent.sessions[0].dry_run, true);
	r = await ok(c, 'qmb_recover_session', { session_id: did });
	assert.equal(r.structuredContent.ok, true);
	assert.match(r.structuredContent.message, /^Session \S+ \(Damaged\): /);
	assert.equal(r.structuredContent.sessions[0].verdict, 'ok');
	const none = await call(c, 'qmb_recover_session', { dry_run: true });
	assert.equal(none.isError, true);
	assert.match(none.content[0].text, /needs session_id, or all: true/);
	r = await ok(c, 'qmb_recover_session', { all: true, dry_run: true });
	assert.ok(Array.isArray(r.structuredContent.sessions));
	assert.equal(r.structuredContent.message,
		cli(dir, "qmb-recover", ["repair", "--dry-run", "--all"]).stdout);
	r = await ok(c, 'qmb_session_status', { session_id: did });
	assert.deepEqual(r.structuredContent.session.completed_stages, ['A']);
	await failsLikeCli(c, dir, 'qmb_recover_session', { session_id: 'nope' },
		'qmb-recover', ['repair', 'nope']);
});

await step('qmb_health: success and failure', async () => {
	if (!built('qmb-recover'))
		return missing('qmb-recover', 'qmb_health', {});
	const r = await ok(c, 'qmb_health', {});
	assert.ok([0, 1].includes(r.structuredContent.exit_code));
	assert.ok(Array.isArray(r.structuredContent.checks));
	assert.match(r.structuredContent.message, /^CHECK +STATUS +DETAIL\ndisk space/);
	await failsLikeCli(b, broken, 'qmb_health', {}, 'qmb-recover', ['health']);
});

await step('qmb_rotate_logs: nothing, a rotation, a failure', async () => {
	if (!built('qmb-rotate'))
		return missing('qmb-rotate', 'qmb_rotate_logs', {});
	let r = await ok(c, 'qmb_rotate_logs', {});
	assert.equal(r.structuredContent.acted, false);
	assert.equal(r.structuredContent.message, '');
	assert.match(r.content[0].text, /^Nothing to rotate/);
	// a project whose logs rotate at 1K
	const small = project('small');
	const s = await connect(small, { QMB_LOG_MAX_SIZE: '1K' });
	const sid = (await ok(s, 'qmb_start_session', { project_name: 'Small' })).structuredContent.session.session_id;
	// the writer rotates too: grow the log behind its back
	const log = path.join(small, '.qmb/logs', `${sid}.log`);
	fs.appendFileSync(log, fs.readFileSync(log, 'utf8').repeat(10));
	r = await ok(s, 'qmb_rotate_logs', { dry_run: true });
	assert.equal(r.structuredContent.actions.length, 1);
	assert.equal(r.structuredContent.actions[0].dry_run, true);
	assert.equal(r.structuredContent.message,
		cli(small, 'qmb-rotate', ['--dry-run'], '', { QMB_LOG_MAX_SIZE: '1K' }).stdout);
	assert.ok(!fs.existsSync(`${log}.1`));
	r = await ok(s, 'qmb_rotate_logs', {});
	assert.equal(r.structuredContent.acted, true);
	assert.match(r.structuredContent.message, /rotated.*\.qmb\/logs\//);
	assert.ok(fs.existsSync(`${log}.1`));
	await s.client.close();
	await failsLikeCli(b, broken, 'qmb_rotate_logs', {}, 'qmb-rotate', []);
});

await step('qmb_request_review: failures (too early; Gemini unreachable)', async () => {
	if (!built('qmb-review'))
		return missing('qmb-review', 'qmb_request_review', { session_id: id });
	// stage C..F are not approved: nothing to review yet
	await failsLikeCli(c, dir, 'qmb_request_review', { session_id: id },
		'qmb-review', ['run', id]);
	// this server's Gemini is a closed port: exit 7, queued
	const sid = await sixStages('Unreachable');
	const r = await call(c, 'qmb_request_review', { session_id: sid });
	assert.equal(r.isError, true);
	assert.equal(r.structuredContent.exit_code, 7);
	assert.match(r.content[0].text, /^qmb-review: Gemini unreachable.*queued.*bypass.*\nexit 7: remote service unavailable: the request was queued$/);
	assert.ok(fs.existsSync(path.join(dir, '.qmb/queue/review', `${sid}.json`)));
});

await step('qmb_bypass_review: success and failure', async () => {
	if (!built('qmb-review'))
		return missing('qmb-review', 'qmb_bypass_review', { session_id: id, reason: 'x' });
	const sid = await sixStages('Bypassed');
	const r = await ok(c, 'qmb_bypass_review', { session_id: sid, reason: 'Gemini is down' });
	assert.equal(r.structuredContent.review.source, 'bypass');
	assert.ok(r.structuredContent.message.length > 0);
	assert.equal(r.content[0].text, r.structuredContent.message);
	const done = await ok(c, 'qmb_complete_session', { session_id: sid });
	assert.equal(done.structuredContent.session.status, 'complete');
	await failsLikeCli(c, dir, 'qmb_bypass_review', { session_id: 'nope', reason: 'Gemini down' },
		'qmb-review', ['bypass', 'nope', '--reason', 'Gemini down']);
});

await step('qmb_write_log: a session entry, a global one, redaction; failure', async () => {
	let r = await ok(c, 'qmb_write_log', { session_id: id, level: 'WARN',
		component: 'script_builder', action: 'table_generated', stage: 'B',
		details: { table: 'DIM_Customers', fields: 5, api_key: 'sk-123' } });
	assert.equal(r.structuredContent.message, '');
	assert.equal(r.content[0].text,
		`Wrote a WARN entry (script_builder/table_generated) to the log of session ${id}.`);
	const last = cli(dir, 'qmb-log', ['show', id, '--json', '-n', '1']).stdout;
	const e = JSON.parse(last);
	assert.equal(e.action, 'table_generated');
	assert.equal(e.stage, 'B');
	assert.deepEqual(e.details, { table: 'DIM_Customers', fields: 5, api_key: '[REDACTED]' });
	r = await ok(c, 'qmb_write_log', { level: 'ERROR', component: 'mcp', action: 'noted' });
	assert.equal(r.structuredContent.session_id, null);
	assert.equal(JSON.parse(cli(dir, 'qmb-log', ['show', '--global', '--json', '-n', '1']).stdout).action, 'noted');
	await failsLikeCli(c, dir, 'qmb_write_log', { session_id: 'nope!', level: 'INFO', component: 'c', action: 'a' },
		'qmb-log', ['write', '-s', 'nope!', '-l', 'INFO', '-c', 'c', '-a', 'a']);
});

await step('qmb_append_audit: an entry of our own type; failure', async () => {
	const r = await ok(c, 'qmb_append_audit', { session_id: id, type: 'user_decision',
		details: { choice: 'star schema', confirmed: true }, script: PARTS.A });
	assert.match(r.structuredContent.message, /^Appended entry \d+ \(user_decision\) to the audit trail of /);
	const e = r.structuredContent.entry;
	assert.equal(e.type, 'user_decision');
	assert.equal(e.details.choice, 'star schema');
	assert.equal(e.details.content, PARTS.A);
	assert.match(e.details.script_sha256, /^[0-9a-f]{64}$/);
	const v = await ok(c, 'qmb_verify_audit', { session_id: id });
	assert.equal(v.structuredContent.intact, true);
	await failsLikeCli(c, dir, 'qmb_append_audit', { session_id: id, type: 'Bad Type' },
		'qmb-audit', ['append', id, '-t', 'Bad Type']);
});

await step('qmb_archive_session and qmb_import_session: round trip; failures', async () => {
	const a = await ok(c, 'qmb_start_session', { project_name: 'Shelved' });
	const aid = a.structuredContent.session.session_id;
	await ok(c, 'qmb_approve_stage', { session_id: aid, stage: 'A', script: PARTS.A });
	const exp = await ok(c, 'qmb_export_session', { session_id: aid });
	let r = await ok(c, 'qmb_archive_session', { session_id: aid });
	assert.equal(r.structuredContent.archived, true);
	assert.match(r.structuredContent.message, /^Archived session /);
	assert.ok(fs.existsSync(path.join(dir, '.qmb/archive/sessions', `${aid}.json`)));
	await failsLikeCli(c, dir, 'qmb_archive_session', { session_id: aid },
		'qmb-session', ['archive', aid]);
	// the trail lives on: import refuses without force
	await failsLikeCli(c, dir, 'qmb_import_session', { session: exp.structuredContent.session },
		'qmb-session', ['import', '-'], JSON.stringify(exp.structuredContent.session));
	// into another project
	const other = project('imported');
	const o = await connect(other);
	r = await ok(o, 'qmb_import_session', { session: exp.structuredContent.session });
	assert.match(r.structuredContent.message, /^Imported session /);
	assert.equal(r.structuredContent.session.session_id, aid);
	assert.deepEqual(r.structuredContent.session.completed_stages, ['A']);
	const bad = await call(o, 'qmb_import_session', { session: { project_name: 'x' } });
	assert.equal(bad.isError, true);
	assert.equal(bad.structuredContent.exit_code, 2);
	await o.client.close();
});

await step('qmb_start_session: new archives the saved session', async () => {
	const r = await ok(c, 'qmb_start_session', { project_name: 'SalesModel', mode: 'new' });
	assert.equal(r.structuredContent.outcome, 'restarted');
	assert.notEqual(r.structuredContent.session.session_id, id);
	assert.ok(fs.existsSync(path.join(dir, '.qmb/archive/sessions', `${id}.json`)));
});

await step('the server wrote nothing to stderr', async () => {
	assert.equal(c.stderr(), '');
	assert.equal(b.stderr(), '');
});

await c.client.close();
await b.client.close();
done();
