import { ActllmError } from '@actllm/core';

/** Stable codes of the errors this package throws on purpose (part of the public API). */
export type TabletopErrorCode =
  | 'TABLETOP_UNKNOWN_TASK'
  | 'TABLETOP_UNKNOWN_PARTITION'
  | 'TABLETOP_UNKNOWN_SHAPE'
  | 'TABLETOP_UNKNOWN_COLOR'
  | 'TABLETOP_NOT_RESET'
  | 'TABLETOP_EPISODE_DONE'
  | 'TABLETOP_INVALID_OPTION'
  | 'TABLETOP_SAMPLING_FAILED'
  | 'TABLETOP_PNG_INVALID'
  | 'TABLETOP_WORKER_MISSING'
  | 'TABLETOP_WORKER_FAILED'
  | 'TABLETOP_DATASET_MISMATCH'
  | 'TABLETOP_DATASET_INVALID'
  | 'TABLETOP_EPISODE_DAMAGED'
  | 'TABLETOP_CALLBACK_FAILED'
  | 'TABLETOP_TASK_NOT_IN_PARTITION'
  | 'TABLETOP_AGENT_NOT_ATTACHED'
  | 'TABLETOP_EVALUATION_ABORTED';

/** Every error the tabletop package throws on purpose: match on `code`. */
export class TabletopError extends ActllmError<TabletopErrorCode> {}
