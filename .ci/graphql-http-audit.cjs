// Prints every graphql-http audit result; exits 1 when a MUST audit failed.
const { auditServer } = require('graphql-http');

async function main() {
  const url = process.argv[2];
  const results = await auditServer({ url });
  const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
  for (const result of results) {
    counts[result.status] += 1;
    const mark = { ok: 'ok  ', warn: 'WARN', notice: 'note', error: 'FAIL' }[result.status];
    const reason = result.status === 'ok' ? '' : ` (${result.reason})`;
    console.log(`${mark} ${result.id} ${result.name}${reason}`);
  }
  console.log(
    `${counts.ok} passed, ${counts.warn} SHOULD and ${counts.notice} MAY not met, ` +
      `${counts.error} MUST failed`,
  );
  process.exitCode = counts.error > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
