/** Words the election windows share: phases as people say them. */
import type { ElectionPhase } from '../../../preload/contract';

export const PHASE_LABELS: Readonly<Record<ElectionPhase, string>> = {
  scheduled: 'Not open yet',
  open: 'Open',
  closed: 'Closed',
};
