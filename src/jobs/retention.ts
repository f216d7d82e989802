import type { Deps } from '../domain/context.ts';
import { purgeExpiredData } from '../domain/retention/purge-expired-data.ts';
import type { JobHandler, PeriodicJob } from '../platform/jobs/queue.ts';

export const RETENTION_JOB = 'retention.purge';
/** Once a day, in whichever process claims it. */
export const RETENTION_SWEEP: PeriodicJob = { kind: RETENTION_JOB, everyMs: 86_400_000 };

export function retentionJobs(deps: Deps): Record<string, JobHandler> {
  return {
    [RETENTION_JOB]: async () => {
      const counts = await purgeExpiredData({ deps });
      deps.log.info({ deleted: counts }, 'retention: deleted rows past their use');
    },
  };
}
