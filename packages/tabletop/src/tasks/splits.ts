/**
 * The split tables of the benchmark, as data (BENCHMARK.md "Levels"; listed in the README).
 * Small objects only: containers are furniture, drawn from every container shape in the
 * training colours at every level.
 */

/** Shapes never seen in training (they appear only in L3). */
export const NOVEL_SHAPES: readonly string[] = ['letter_u', 'pentagon'];

/** Colours never seen in training (they appear only in L3). */
export const NOVEL_COLORS: readonly string[] = ['cyan', 'green_and_white_polka_dot'];

/**
 * L2 combinatorial: shape x colour pairs held out of training. Every training shape loses
 * three colours and every training colour two or three shapes, so each shape and each colour
 * is still seen in training, only never together in these pairs.
 */
export const HELD_OUT_COMBOS: Readonly<Record<string, readonly string[]>> = {
  block: ['red', 'purple', 'white'],
  diamond: ['green', 'orange', 'gray'],
  triangle: ['blue', 'pink', 'red_and_white_stripe'],
  hexagon: ['yellow', 'brown', 'blue_and_yellow_checker'],
  star: ['purple', 'white', 'red'],
  cross: ['orange', 'gray', 'green'],
  heart: ['pink', 'red_and_white_stripe', 'blue'],
  ring: ['brown', 'blue_and_yellow_checker', 'yellow'],
  letter_l: ['white', 'red', 'purple'],
  letter_t: ['gray', 'green', 'orange'],
};

/** L4 novel tasks: families absent from training. */
export const L4_TASKS: readonly string[] = [
  'sweep_without_touching',
  'novel_adj_and_noun',
  'follow_motion',
  'same_color',
];

/** Every task family of BENCHMARK.md, in the order of its table. */
export const ALL_TASKS: readonly string[] = [
  'visual_manipulation',
  'scene_understanding',
  'rotate',
  'rearrange',
  'rearrange_then_restore',
  'novel_adj',
  'novel_noun',
  'novel_adj_and_noun',
  'twist',
  'follow_motion',
  'follow_order',
  'sweep_without_exceeding',
  'sweep_without_touching',
  'same_color',
  'same_shape',
  'manipulate_old_neighbor',
  'pick_in_order_then_restore',
];

/** The training families (L1-L3 use these too). */
export const TRAIN_TASKS: readonly string[] = ALL_TASKS.filter((t) => !L4_TASKS.includes(t));
