import { buildTokenizer, type Tokenizer } from '@actllm/dialogue';
import {
  COLOR_NAMES,
  CONTAINER_SHAPES,
  COUNT_WORDS,
  DIRECTIONS,
  MARKING_SHAPES,
  NOVEL_COLORS,
  NOVEL_CONTAINERS,
  NOVEL_SHAPES,
  OBJECT_SHAPES,
  TabletopEnv,
  deriveSeed,
  getTask,
  listPartitions,
  partitionTasks,
} from '@actllm/tabletop';

/**
 * The benchmark's words, shared by `train` (the tokenizer) and `eval` (the output grammar),
 * so a model is trained on the names its decoder is later constrained to.
 */

/** Resets per task and partition whose instructions join the vocabulary. */
export const VOCABULARY_RESETS = 6;

/** Every shape and colour name a scene may use, markings included (the sweeps' zone and line). */
export function sceneNames(): { shapes: string[]; colors: string[] } {
  const unique = (names: readonly (readonly string[])[]) => [...new Set(names.flat())];
  return {
    shapes: unique([
      OBJECT_SHAPES,
      CONTAINER_SHAPES,
      MARKING_SHAPES,
      NOVEL_SHAPES,
      NOVEL_CONTAINERS,
    ]).sort(),
    colors: unique([COLOR_NAMES, NOVEL_COLORS]).sort(),
  };
}

/**
 * Instruction texts of `VOCABULARY_RESETS` seeded resets of every task of every partition
 * (train and L1-L4), plus every task's templates and the count and direction words, so the
 * words of every evaluation level are known. Rendered at the smallest view size: only the
 * text is kept.
 */
export async function benchmarkTexts(): Promise<string[]> {
  const env = await TabletopEnv.create({
    views: { top: { width: 8, height: 8 }, front: { width: 8, height: 8 } },
  });
  const texts: string[] = [...COUNT_WORDS, ...DIRECTIONS];
  try {
    for (const partition of listPartitions()) {
      for (const task of partitionTasks(partition)) {
        texts.push(...getTask(task).templates);
        for (let i = 0; i < VOCABULARY_RESETS; i++) {
          const seed = deriveSeed(0, 'vocabulary', task, partition, i);
          texts.push(env.reset({ seed, task, partition }).instruction.text);
        }
      }
    }
  } finally {
    env.close();
  }
  return texts;
}

/** The tokenizer of a training run: the data's instruction texts and the benchmark's words. */
export async function buildVocabulary(dataTexts: Iterable<string>): Promise<Tokenizer> {
  const texts = [...new Set([...dataTexts, ...(await benchmarkTexts())])].sort();
  const { shapes, colors } = sceneNames();
  return buildTokenizer({ texts, names: [...shapes, ...colors] });
}
