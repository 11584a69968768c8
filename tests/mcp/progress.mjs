// Long calls through the official SDK client: progress notifications of a
// review's attempts and back-off (those of repair --all and rotation are
// checked line by line in qmb-mcp.bats: the SDK drops a notification
// that arrives with the response in one read); a review cancelled mid-flight (fake Gemini in slow mode): the program is
// stopped, nothing is half-written, the lock is free, the server stays
// up; a request cancelled before its turn never runs; pings are answered
// while a program runs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

import {
	PARTS, SERVER, assert, cli, connect, done, fakeGemini, ok, project, step,
} from './lib.mjs';

const fake = await fakeGemini('ok', ['--delay-ms', '30000']);
assert.ok(fake, 'qmb-review and tests/fake_gemini.py are needed');
const dir = project('progress');
const env = { ...fake.env, QMB_RETRY_BASE_MS: '200', QMB_RETRY_MAX_MS: '1500' };
// this server's Gemini answers after 30 s; a second one's fails twice first
const c = await connect(dir, { ...env, QMB_GEMINI_MODEL: 'mode-slow' });
const flaky = await connect(dir, { ...env, QMB_GEMINI_MODEL: 'mode-unavailable_x2_then_ok' });

// A session with six stages approved; its own script (no cached review).
async function sixStages(name) {
	const r = await ok(c, 'qmb_start_session', { project_name: name });
	const sid = r.structuredContent.session.session_id;
	for (const [s, part] of Object.entries(PARTS))
		await ok(c, 'qmb_approve_stage', { session_id: sid, stage: s,
			script: s === 'F' ? `${part}// ${name}\n` : part });
	return sid;
}

// A call with a progress token; its notifications in order.
async function withProgress(name, args, opts = {}, on = c) {
	const seen = [];
	const r = await on.client.callTool({ name, arguments: args }, CallToolResultSchema, {
		onprogress: (p) => seen.push(p), timeout: 120000, ...opts,
	});
	return { r, seen };
}

function increasing(seen) {
	for (let i = 1; i < seen.length; i++)
		assert.ok(seen[i].progress > seen[i - 1].progress, `progress went ${seen[i - 1].progress} -> ${seen[i].progress}`);
}

// Programs of this project still running (their command line names it).
function running(prog) {
	return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
		try {
			const argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
			return argv[0].endsWith(prog) && argv.includes(dir);
		} catch {
			return false;
		}
	});
}

let id;
await step('review: attempts and back-off as progress (503, 503, ok)', async () => {
	id = await sixStages('Retried');
	const { r, seen } = await withProgress('qmb_request_review', { session_id: id },
		{}, flaky);
	assert.equal(r.isError, false, r.content[0].text);
	assert.equal(r.structuredContent.review.source, 'gemini');
	const msgs = seen.map((p) => p.message);
	assert.match(msgs[0], /^asking Gemini \(.*\): attempt 1 of 3$/);
	assert.ok(msgs.some((m) => /^attempt 1 of 3: HTTP 503/.test(m)), msgs.join('\n'));
	assert.ok(msgs.some((m) => /^waiting \d+ s before attempt 2 of 3$/.test(m)), msgs.join('\n'));
	assert.ok(msgs.includes('asking Gemini: attempt 3 of 3'), msgs.join('\n'));
	increasing(seen);
});

let cid;
await step('cancel a review waiting on a slow Gemini: stopped, nothing half-written', async () => {
	cid = await sixStages('Cancelled');
	const before = fake.requests().length;
	const ac = new AbortController();
	const seen = [];
	const p = c.client.callTool({ name: 'qmb_request_review', arguments: { session_id: cid } },
		CallToolResultSchema, {
			signal: ac.signal, timeout: 120000,
			onprogress: (x) => { seen.push(x); },
		});
	// the review is under way once Gemini has the request
	for (let i = 0; i < 100 && fake.requests().length === before; i++)
		await sleep(50);
	assert.equal(fake.requests().length, before + 1);
	assert.equal(running('qmb-review').length, 1);
	// the server reads on while the program runs: a ping is answered now
	const t0 = Date.now();
	await c.client.ping();
	assert.ok(Date.now() - t0 < 2000, 'ping waited for the review');
	assert.match(seen[0]?.message ?? '', /^asking Gemini/);
	ac.abort('the user changed their mind');
	await assert.rejects(p);
	// the program is gone, and the abandoned call is on record
	for (let i = 0; i < 100 && running('qmb-review').length > 0; i++)
		await sleep(50);
	assert.deepEqual(running('qmb-review'), []);
	let last;
	for (let i = 0; i < 100; i++) {
		const trail = cli(dir, 'qmb-audit', ['show', cid, '--json']).stdout.trim().split('\n');
		last = JSON.parse(trail[trail.length - 1]);
		if (last.type === 'call_cancelled')
			break;
		await sleep(50);
	}
	assert.equal(last.type, 'call_cancelled');
	assert.deepEqual(last.details, { tool: 'qmb_request_review', reason: 'the user changed their mind' });
	const log = cli(dir, 'qmb-log', ['show', cid, '--json', '-a', 'call_cancelled', '-l', 'WARN']).stdout
		.trim().split('\n').map((l) => JSON.parse(l));
	assert.equal(log.length, 1);
	assert.equal(log[0].level, 'WARN');
	assert.deepEqual(log[0].details, { tool: 'qmb_request_review', reason: 'the user changed their mind' });
	// nothing half-written: the session checks ok, the trail verifies,
	// no temporary file is left, nothing was queued or recorded
	const check = JSON.parse(cli(dir, 'qmb-recover', ['check', cid, '--json']).stdout);
	assert.equal(check.verdict, 'ok');
	assert.deepEqual(check.findings, []);
	assert.equal(cli(dir, 'qmb-audit', ['verify', cid]).status, 0);
	const tmp = [];
	const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) =>
		(e.isDirectory() ? walk(path.join(d, e.name)) :
			/\.tmp$|^\..*\.[A-Za-z0-9]{6}$/.test(e.name) && tmp.push(e.name)));
	walk(path.join(dir, '.qmb'));
	assert.deepEqual(tmp, []);
	assert.ok(!fs.existsSync(path.join(dir, '.qmb/queue/review', `${cid}.json`)));
	const st = await ok(c, 'qmb_session_status', { session_id: cid });
	assert.equal(st.structuredContent.last_review, null);
});

await step('after the cancellation: the server serves, the lock is free', async () => {
	const r = await ok(c, 'qmb_approve_stage', { session_id: cid, stage: 'F',
		script: `${PARTS.F}// again\n` });
	assert.deepEqual(r.structuredContent.session.completed_stages, Object.keys(PARTS));
	const w = cli(dir, 'qmb-session', ['--wait', '0', 'set-model', cid, 'snowflake']);
	assert.equal(w.status, 0, w.stderr);
});

await step('a request cancelled before its turn never runs', async () => {
	const ac = new AbortController();
	const slow = c.client.callTool({ name: 'qmb_request_review', arguments: { session_id: cid } },
		CallToolResultSchema, { timeout: 120000, signal: ac.signal });
	const before = fake.requests().length;
	for (let i = 0; i < 100 && fake.requests().length === before; i++)
		await sleep(50);
	const bc = new AbortController();
	const queued = c.client.callTool({ name: 'qmb_write_log', arguments: {
		session_id: cid, level: 'INFO', component: 'tests', action: 'must_not_run' } },
	CallToolResultSchema, { signal: bc.signal });
	await sleep(100);
	bc.abort('not needed');
	await assert.rejects(queued);
	ac.abort('stop');
	await assert.rejects(slow);
	for (let i = 0; i < 100 && running('qmb-review').length > 0; i++)
		await sleep(50);
	await c.client.ping();
	const log = cli(dir, 'qmb-log', ['show', cid, '--json']).stdout;
	assert.ok(!log.includes('must_not_run'), 'the cancelled request ran');
	assert.ok(log.includes('call_cancelled'));
});

await step('SIGTERM to the server mid-review: the review is stopped first, then the server', async () => {
	const sid = await sixStages('Terminated');
	const before = fake.requests().length;
	const srv = spawn(SERVER, ['-C', dir], { env: { ...process.env, ...env,
		QMB_GEMINI_MODEL: 'mode-slow' }, stdio: ['pipe', 'pipe', 'inherit'] });
	const exited = new Promise((res) => srv.on('exit', (code, sig) => res([code, sig])));
	// a change runs only after initialize
	srv.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize',
		params: { protocolVersion: '2025-11-25', capabilities: {} } })}\n`);
	srv.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call',
		params: { name: 'qmb_request_review', arguments: { session_id: sid } } })}\n`);
	for (let i = 0; i < 100 && fake.requests().length === before; i++)
		await sleep(50);
	assert.equal(running('qmb-review').length, 1);
	srv.kill('SIGTERM');
	assert.deepEqual(await exited, [143, null]);
	assert.deepEqual(running('qmb-review'), []);
	const trail = cli(dir, 'qmb-audit', ['show', sid, '--json']).stdout.trim().split('\n');
	const last = JSON.parse(trail[trail.length - 1]);
	assert.equal(last.type, 'call_cancelled');
	assert.deepEqual(last.details, { tool: 'qmb_request_review', reason: 'qmb-mcp stopped by signal 15' });
	assert.equal(JSON.parse(cli(dir, 'qmb-recover', ['check', sid, '--json']).stdout).verdict, 'ok');
});

await step('the server wrote nothing to stderr', async () => {
	assert.equal(c.stderr(), '');
	assert.equal(flaky.stderr(), '');
});

await c.client.close();
await flaky.client.close();
done();
