// A process that logs the way Runframe's server does (JSON lines on a stdout that is not a terminal),
// for tests/unit/log-output.test.ts. argv[2]: `exit` logs 200 lines and exits at once, `crash` logs
// 200 lines and throws, `stay` logs one line and keeps running until it is stopped.
import { createLog } from '../../src/platform/log.ts';

const mode = process.argv[2];
const log = createLog('info');
if (mode === 'stay') {
  log.info({ n: 1 }, 'still running');
  setInterval(() => {}, 60_000);
} else {
  for (let n = 1; n <= 200; n++) log.info({ n }, 'line');
  if (mode === 'crash') throw new Error('the child crashed on purpose');
  process.exit(0);
}
