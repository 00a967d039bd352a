/* global console, process */
// A whole ACTLLM pipeline composed from the single @actllm packages, without the CLI:
// generate a dataset, build a tokenizer, make training samples, train the policy for a few
// steps on ONNX Runtime, save and reload a checkpoint, and evaluate the agent on the
// benchmark. Everything is tiny so it runs in well under a minute on a laptop; scale the
// constants below up for a real run (or use the `actllm` CLI, which does the same at scale).
//
// Progress goes to stderr; the last thing on stdout is one JSON line with the results.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Importing the backend package registers the `onnx` backend with @actllm/core's registry.
// Nothing else is needed from it here: training and inference name it by `backend: 'onnx'`.
import '@actllm/backend-onnx';
import { buildTokenizer } from '@actllm/dialogue';
import {
  ActllmAgent,
  PolicyTrainer,
  loadCheckpoint,
  presetConfig,
  saveCheckpoint,
  sceneSample,
  stepSamples,
} from '@actllm/policy';
import {
  COLOR_NAMES,
  CONTAINER_SHAPES,
  MARKING_SHAPES,
  OBJECT_SHAPES,
  TabletopEnv,
  evaluate,
  generateDataset,
  getTask,
  openDataset,
} from '@actllm/tabletop';

// Two task families of the training partition that L1 (new seeds, same distribution) has too.
const TASKS = ['visual_manipulation', 'rotate'];
const EPISODES_PER_TASK = 2;
const SCENES = 4; // extra scene-reading samples from fresh environment resets
const STEPS = 12; // optimizer steps
const SEED = 1;
// Render at the tiny preset's encoder sizes (top 32x32, front 32x16): the policy resizes
// every frame to its encoder's sizes anyway, and small frames are fast to render and store.
const VIEWS = { top: { width: 32, height: 32 }, front: { width: 32, height: 16 } };
// Where the model trains and runs. Add `threads: n` to cap ONNX Runtime's threads.
const SESSION = { backend: 'onnx' };

const log = (message) => process.stderr.write(`${message}\n`);
const work = mkdtempSync(join(tmpdir(), 'actllm-custom-pipeline-'));

try {
  // 1. Data: scripted-oracle episodes written to a dataset folder (manifest, one record per
  //    episode, PNG frames), then read back with checksums verified.
  const dataDir = join(work, 'data');
  await generateDataset({
    partition: 'train',
    tasks: TASKS,
    episodes: EPISODES_PER_TASK,
    seed: SEED,
    workers: 1, // worker threads; 0 generates in this thread
    views: VIEWS,
    out: dataDir,
    onProgress: ({ done, total }) => log(`generated ${done}/${total} episodes`),
  });
  const dataset = openDataset(dataDir);
  const episodes = [...dataset]; // { summary, record }; frames decode on first access

  // 2. Tokenizer: the closed domain vocabulary. It needs every word the model will read
  //    (the instructions, plus the task templates so unseen instructions of these families
  //    tokenize too) and every shape and colour name a scene may hold.
  const shapes = [...new Set([...OBJECT_SHAPES, ...CONTAINER_SHAPES, ...MARKING_SHAPES])];
  const colors = [...COLOR_NAMES];
  const tokenizer = buildTokenizer({
    texts: [
      ...episodes.map(({ record }) => record.instruction.text),
      ...TASKS.flatMap((task) => getTask(task).templates),
    ],
    names: [...shapes, ...colors],
  });

  // 3. The model: the `tiny` preset sized to this tokenizer (passing the tokenizer, not just
  //    its size, also grounds the top view in the position tokens).
  const config = presetConfig('tiny', tokenizer);

  // 4. Samples: one per step of every episode (the conversation as the agent holds it at
  //    that step, with the loss on that step's answer), plus scene-reading samples from
  //    fresh resets (any rendered scene teaches the observation model).
  const samples = episodes.flatMap(({ record }) => stepSamples(record, tokenizer, config));
  const env = await TabletopEnv.create({ views: VIEWS });
  for (let i = 0; i < SCENES; i++) {
    const observation = env.reset({ task: TASKS[i % TASKS.length], seed: 1000 + i });
    samples.push(sceneSample(null, observation, tokenizer, config));
  }
  log(`${samples.length} training samples, vocabulary ${tokenizer.size}`);

  // 5. Training: AdamW steps on the onnx backend, progress through a callback. With this
  //    few samples every batch holds all of them, so the losses of two steps compare (in a
  //    real run batches differ: a batch of scene-reading samples has one loss term, a batch
  //    of step samples four, so the loss moves with the batch's mix).
  const losses = [];
  const trainer = await PolicyTrainer.create(config, tokenizer, samples, {
    steps: STEPS,
    batchSize: samples.length,
    lr: 1e-2,
    warmup: 0,
    seed: SEED,
    session: SESSION,
  });
  let weights;
  try {
    await trainer.run({
      onProgress: (p) => {
        losses.push(p.loss);
        log(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} (${p.seconds.toFixed(2)} s)`);
      },
    });
    // A resumable checkpoint (weights, tokenizer, config, optimizer state and data position):
    // `PolicyTrainer.resume(dir, samples)` continues it bit for bit.
    await trainer.save(join(work, 'checkpoint'));
    weights = await trainer.weights();
  } finally {
    await trainer.dispose();
  }

  // 6. An inference checkpoint of your own (weights only; the folder's parent must exist),
  //    loaded back the way a separate program would.
  const modelDir = join(work, 'model');
  saveCheckpoint(modelDir, { config, tokenizer, weights });
  const model = await loadCheckpoint(modelDir);

  // 7. The agent: decodes each turn under the output grammar (the scene's shape and colour
  //    names), checks the action against the predicted transition. `maxObjects` bounds a
  //    turn; the tiny preset's 512 positions allow at most 11 objects per scene.
  const agent = await ActllmAgent.create(model, {
    shapes,
    colors,
    maxObjects: 11,
    session: SESSION,
  });

  // 8. Evaluation on L1, reusing the environment (its small views). `agent.trace` holds the
  //    current episode's steps, so read it in `onEpisode`, before the next episode resets it.
  let firstTrace;
  let report;
  try {
    report = await evaluate(agent, {
      partition: 'L1',
      tasks: TASKS,
      episodesPerTask: 1,
      seed: SEED,
      env,
      onEpisode: (episode) => {
        firstTrace ??= agent.trace[0];
        log(
          `${episode.task}: ${episode.success ? 'success' : 'failure'} in ${episode.steps} steps`,
        );
      },
    });
  } finally {
    await agent.dispose();
    env.close();
  }

  const l1 = report.levels.L1;
  console.log(
    JSON.stringify({
      samples: samples.length,
      steps: losses.length,
      loss: { first: losses[0], last: losses[losses.length - 1] },
      evaluation: { rate: l1.rate, episodes: l1.episodes },
      firstTraceTextLength: firstTrace?.text.length ?? 0,
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
