// Shared by the SDK tests: start qmb-mcp through the official MCP client,
// run the CLI programs the same way, and a small step runner.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export { assert };
export const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER = path.join(TOP, 'qmb-mcp');

// A fresh project folder under $BATS_TEST_TMPDIR (else a new temporary one).
export function project(name) {
	const base = process.env.BATS_TEST_TMPDIR ||
		fs.mkdtempSync(path.join(os.tmpdir(), 'qmb-mcp-'));
	const dir = path.join(base, name);
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

export function built(prog) {
	return fs.existsSync(path.join(TOP, prog));
}

// The fake Gemini server (tests/fake_gemini.py) on a free port, when it
// and qmb-review exist: the environment that points qmb-review at it, and
// its request log; else null.
export const FAKE_KEY = 'fake-key-for-tests-0123456789';
export async function fakeGemini(mode = 'ok', extra = []) {
	const script = path.join(TOP, 'tests/fake_gemini.py');
	if (!built('qmb-review') || !fs.existsSync(script))
		return null;
	const work = fs.mkdtempSync(path.join(project('fake'), 'run-'));
	const portFile = path.join(work, 'port');
	const log = path.join(work, 'requests.jsonl');
	const child = spawn('python3', [script, '--port', '0', '--port-file', portFile,
		'--log', log, '--mode', mode, ...extra], { stdio: 'ignore' });
	atExit(() => child.kill());
	for (let i = 0; i < 100 && !fs.existsSync(portFile); i++)
		await sleep(50);
	const port = fs.readFileSync(portFile, 'utf8').trim();
	assert.match(port, /^\d+$/);
	return {
		env: { QMB_GEMINI_URL: `http://127.0.0.1:${port}`, GEMINI_API_KEY: FAKE_KEY },
		requests: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8')
			.split('\n').filter((l) => l).map((l) => JSON.parse(l)) : []),
	};
}

// Connect a client to qmb-mcp -C dir; env adds to the environment.
export async function connect(dir, env = {}) {
	const transport = new StdioClientTransport({
		command: SERVER,
		args: ['-C', dir],
		env: { ...process.env, ...env },
		stderr: 'pipe',
	});
	const client = new Client({ name: 'qmb-tests', version: '1.0.0' });
	let stderr = '';
	transport.stderr?.on('data', (d) => { stderr += d; });
	await client.connect(transport);
	// tools/list first: the client then checks every structuredContent
	// of a successful call against the tool's outputSchema
	const { tools } = await client.listTools();
	return { client, tools, stderr: () => stderr };
}

// Call a tool; the result as the SDK returns it.
export async function call(c, name, args = {}) {
	return c.client.callTool({ name, arguments: args });
}

// A successful call: the result, whose structuredContent carries the
// program's words as "message", which the text begins with.
export async function ok(c, name, args = {}) {
	const r = await call(c, name, args);
	assert.equal(r.isError, false, `${name}: ${r.content?.[0]?.text}`);
	assert.equal(r.content[0].type, 'text');
	assert.ok(r.content[0].text.length > 0, `${name}: empty text`);
	assert.equal(typeof r.structuredContent, 'object');
	assert.equal(typeof r.structuredContent.message, 'string', `${name}: no message`);
	assert.ok(r.content[0].text.startsWith(r.structuredContent.message),
		`${name}: the text does not begin with the message`);
	return r;
}

// The meaning of each exit code, as a failure's text ends.
export const MEANING = {
	1: 'a check found problems', 2: 'usage error: a bad argument or input',
	3: 'not found', 4: 'busy or out of order',
	5: 'corrupt data: run qmb_recover_session',
	6: 'I/O error: nothing was half-written',
	7: 'remote service unavailable: the request was queued',
	9: 'internal error', 10: 'a saved session was found and nobody decided',
	127: 'the program could not be run',
};

// Run a program of the suite as a user would: { status, stdout, stderr }.
export function cli(dir, prog, args, input, env = {}) {
	const r = spawnSync(path.join(TOP, prog), ['-C', dir, ...args], {
		input: input ?? '',
		encoding: 'utf8',
		env: { ...process.env, ...env, NO_COLOR: '1' },
	});
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The CLI's error: the last line of stderr that is not a warning.
export function cliMessage(stderr) {
	const lines = stderr.split('\n').filter((l) => l && !l.includes(': warning: '));
	return lines[lines.length - 1];
}

// A failing call: isError, the CLI's message, the exit code.
export async function failsLikeCli(c, dir, name, args, prog, cliArgs, input) {
	const want = cli(dir, prog, cliArgs, input);
	assert.notEqual(want.status, 0, `${prog} ${cliArgs.join(' ')} succeeded`);
	const r = await call(c, name, args);
	assert.equal(r.isError, true, `${name} did not fail`);
	assert.equal(r.content[0].text,
		`${cliMessage(want.stderr)}\nexit ${want.status}: ${MEANING[want.status]}`);
	assert.equal(r.structuredContent.exit_code, want.status);
	assert.equal(r.structuredContent.error, cliMessage(want.stderr));
	assert.equal(r.structuredContent.meaning, MEANING[want.status]);
	return r;
}

// Things to stop when the scenario ends, however it ends.
const cleanups = [];
export function atExit(fn) {
	cleanups.push(fn);
}
function finish(code) {
	for (const fn of cleanups.splice(0))
		fn();
	process.exit(code);
}

// Steps: each prints "ok - name"; the first failure ends the scenario.
let count = 0;
export async function step(name, fn) {
	try {
		await fn();
	} catch (e) {
		console.log(`not ok - ${name}`);
		console.log(e?.stack ?? String(e));
		finish(1);
	}
	count++;
	console.log(`ok - ${name}`);
}

export function note(text) {
	console.log(`# ${text}`);
}

export function done() {
	console.log(`${count} steps passed`);
	finish(0);
}

// Six small parts, one a stage.
export const PARTS = {
	A: "SET ThousandSep=',';\nLET vQvdPath = 'lib://data/qvd/';\n",
	B: 'DIM_Customers:\nLOAD CustomerID, CustomerName\nFROM [$(vQvdPath)Customers.qvd] (qvd);\n',
	C: 'FACT_Orders:\nLOAD OrderID, CustomerID, Amount\nFROM [$(vQvdPath)Orders.qvd] (qvd);\n',
	D: '// no link table for a star schema\n',
	E: 'MasterCalendar:\nLOAD Date(MinDate + IterNo() - 1) AS Date\nAUTOGENERATE 1 WHILE MinDate + IterNo() - 1 <= MaxDate;\n',
	F: "STORE FACT_Orders INTO [$(vQvdPath)FACT_Orders.qvd] (qvd);\nDROP TABLE FACT_Orders;\n",
};
