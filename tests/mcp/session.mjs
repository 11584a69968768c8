// A whole session done only through MCP: start, tables, approve A..F,
// the Gemini review against the fake server, complete.
import fs from 'node:fs';
import path from 'node:path';

import {
	FAKE_KEY, PARTS, assert, cli, connect, done, fakeGemini, failsLikeCli,
	note, ok, project, step,
} from './lib.mjs';

const NAMES = { A: 'Configuration', B: 'Dimensions', C: 'Facts', D: 'Link Tables', E: 'Calendars', F: 'STORE & Cleanup' };

const dir = project('session');
const fake = await fakeGemini('ok');
if (!fake)
	note('qmb-review or tests/fake_gemini.py missing: the review and completion steps wait for them');
const env = fake?.env ?? {};

const c = await connect(dir, env);
let id;

await step('start a new project', async () => {
	const r = await ok(c, 'qmb_start_session', { project_name: 'SalesModel', model_type: 'star_schema' });
	assert.equal(r.structuredContent.outcome, 'created');
	id = r.structuredContent.session.session_id;
});

await step('plan the tables', async () => {
	const r = await ok(c, 'qmb_update_tables', { session_id: id, tables: { add: ['DIM_Customers', 'FACT_Orders'] } });
	assert.deepEqual(r.structuredContent.session.pending_tables, ['DIM_Customers', 'FACT_Orders']);
});

const stages = Object.keys(PARTS);
for (const [i, s] of stages.entries()) {
	await step(`approve stage ${s}`, async () => {
		const r = await ok(c, 'qmb_approve_stage', { session_id: id, stage: s, script: PARTS[s] });
		const next = stages[i + 1];
		if (next)
			assert.equal(r.structuredContent.message, `Stage ${s}: ${NAMES[s]} approved. Next: Stage ${next}: ${NAMES[next]}.\n`);
		assert.deepEqual(r.structuredContent.session.completed_stages, stages.slice(0, i + 1));
		assert.equal(r.structuredContent.session.progress, Math.floor((i + 1) * 100 / 6));
	});
}

await step('status: six of six, the script is the six parts', async () => {
	const r = await ok(c, 'qmb_session_status', { session_id: id });
	assert.equal(r.structuredContent.session.progress, 100);
	const s = await ok(c, 'qmb_get_script', { session_id: id });
	for (const p of Object.values(PARTS))
		assert.ok(s.structuredContent.script.includes(p));
});

await step('complete needs a review first', async () => {
	await failsLikeCli(c, dir, 'qmb_complete_session', { session_id: id },
		'qmb-session', ['complete', id]);
});

if (fake) {
	await step('review against the fake Gemini server', async () => {
		const r = await ok(c, 'qmb_request_review', { session_id: id });
		assert.equal(r.structuredContent.review.source, 'gemini');
		assert.match(r.structuredContent.message, /^Review of session .*: score \d+\/100/);
		assert.match(r.structuredContent.message, /\nNext: qmb-session complete /);
		assert.equal(r.content[0].text, r.structuredContent.message);
		assert.equal(fake.requests().length, 1);
		const st = await ok(c, 'qmb_session_status', { session_id: id });
		const rev = st.structuredContent.last_review;
		assert.ok(rev, 'no review recorded');
		assert.equal(rev.source, 'gemini');
		assert.ok(Number.isInteger(rev.score) && rev.score >= 0 && rev.score <= 100);
	});

	await step('complete: stage2_output written', async () => {
		const r = await ok(c, 'qmb_complete_session', { session_id: id });
		assert.equal(r.structuredContent.session.status, 'complete');
		const out = path.join(dir, 'stage2_output');
		const script = fs.readFileSync(path.join(out, 'script.qvs'), 'utf8');
		assert.equal(script, cli(dir, 'qmb-session', ['script', id]).stdout);
		const review = JSON.parse(fs.readFileSync(path.join(out, 'gemini_review.json'), 'utf8'));
		assert.ok(review.review_status === 'approved' || review.review_status === 'issues_found');
		JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
	});

	await step('the list says complete; the trail verifies', async () => {
		const r = await ok(c, 'qmb_list_sessions', { all: true });
		assert.match(r.structuredContent.message, /Progress: Complete \(6\/6 done\) - 100%/);
		const v = await ok(c, 'qmb_verify_audit', { session_id: id });
		assert.equal(v.structuredContent.intact, true);
		const types = cli(dir, 'qmb-audit', ['show', id, '--json']).stdout.trim()
			.split('\n').map((l) => JSON.parse(l).type);
		assert.deepEqual(types, ['session_created', 'tables_changed',
			...stages.map(() => 'stage_approved'), 'review_recorded', 'script_approved']);
	});

	await step('the API key is nowhere in the project', async () => {
		const r = cli(dir, 'qmb-audit', ['verify', '--all']);
		assert.equal(r.status, 0);
		const grep = (d) => fs.readdirSync(d, { withFileTypes: true }).some((e) =>
			e.isDirectory() ? grep(path.join(d, e.name)) :
				fs.readFileSync(path.join(d, e.name)).includes(FAKE_KEY));
		assert.equal(grep(dir), false);
	});
}

await step('the server wrote nothing to stderr', async () => {
	assert.equal(c.stderr(), '');
});

await c.client.close();
done();
