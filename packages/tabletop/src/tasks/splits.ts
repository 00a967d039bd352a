/**
 * The split tables of the benchmark, as data (docs/benchmark.md "Levels"; listed in the README).
 * Small objects, plus the novel container of L3; containers come in the training colours
 * at every level.
 */

/** Shapes never seen in training (they appear only in L3). */
export const NOVEL_SHAPES: readonly string[] = ['pentagon', 'letter_u', 'flower', 'letter_v'];

/** Colours never seen in training (they appear only in L3): a light and dark pair among them. */
export const NOVEL_COLORS: readonly string[] = [
  'cyan',
  'dark_cyan',
  'green_and_white_polka_dot',
  'pink_and_gray_polka_dot',
];

/** Container shapes never seen in training (they appear only in L3). */
export const NOVEL_CONTAINERS: readonly string[] = ['box'];

/**
 * L2 combinatorial: shape x colour pairs held out of training. Every training shape loses
 * three colours and every training colour two or three shapes, so each shape and each colour
 * is still seen in training, only never together in these pairs.
 */
export const HELD_OUT_COMBOS: Readonly<Record<string, readonly string[]>> = {
  block: ['red', 'white', 'dark_purple'],
  diamond: ['yellow', 'blue_and_yellow_checker', 'yellow_and_purple_stripe'],
  triangle: ['pink', 'dark_blue', 'green'],
  hexagon: ['gray', 'dark_orange', 'purple'],
  star: ['dark_red', 'orange_and_white_checker', 'brown'],
  cross: ['dark_yellow', 'blue', 'red_and_white_stripe'],
  heart: ['dark_pink', 'orange', 'dark_green'],
  ring: ['red', 'white', 'dark_purple'],
  letter_l: ['yellow', 'blue_and_yellow_checker', 'yellow_and_purple_stripe'],
  letter_t: ['pink', 'dark_blue', 'green'],
  round: ['gray', 'dark_orange', 'purple'],
  octagon: ['dark_red', 'orange_and_white_checker', 'brown'],
  arrow: ['dark_yellow', 'blue', 'red_and_white_stripe'],
  trapezoid: ['dark_pink', 'orange', 'dark_green'],
  parallelogram: ['red', 'white', 'dark_purple'],
  letter_c: ['yellow', 'blue_and_yellow_checker', 'yellow_and_purple_stripe'],
  letter_e: ['pink', 'dark_blue', 'green'],
  letter_h: ['gray', 'dark_orange', 'purple'],
};

/** L4 novel tasks: families absent from training. */
export const L4_TASKS: readonly string[] = [
  'sweep_without_touching',
  'novel_adj_and_noun',
  'follow_motion',
  'same_color',
];

/** Every task family of docs/benchmark.md, in the order of its table. */
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
