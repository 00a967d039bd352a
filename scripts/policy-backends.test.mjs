// The same policy weights give the same greedy actions on the onnx and tfjs backends: the
// model is one graph definition, and both backends run it through graph's front door.
import { createImage } from '@actllm/core';
import { initParameters } from '@actllm/graph';
import { buildTokenizer } from '@actllm/dialogue';
import { ActllmAgent, buildPolicyGraph, presetConfig } from '@actllm/policy';
import '@actllm/backend-onnx';
import '@actllm/backend-tfjs';
import { expect, it } from 'vitest';

const names = ['block', 'bowl', 'red', 'green', 'blue'];
const tokenizer = buildTokenizer({ texts: ['Put the {dragged} into the {base}.'], names });
// Given the tokenizer, the top view is grounded: the backends run the whole `tiny` model.
const config = presetConfig('tiny', tokenizer);
const weights = initParameters(buildPolicyGraph(config), 11);
const instruction = {
  text: 'Put the {dragged} into the {base}.',
  assets: {
    dragged: { kind: 'object', views: { top: createImage(16, 16, [200, 0, 0]) }, objects: [] },
    base: { kind: 'object', views: { top: createImage(16, 16, [0, 200, 0]) }, objects: [] },
  },
};
const observations = [40, 120, 200].map((shade, step) => ({
  step,
  views: { top: createImage(48, 48, [shade, 60, 90]), front: createImage(64, 32, [90, shade, 60]) },
  instruction,
}));

async function actions(backend, device) {
  const agent = await ActllmAgent.create(
    { config, tokenizer, weights },
    {
      shapes: ['block', 'bowl'],
      colors: ['red', 'green', 'blue'],
      maxObjects: 3,
      session: { backend, ...(device ? { device } : {}) },
    },
  );
  agent.reset(instruction);
  const out = [];
  for (const o of observations) out.push(await agent.act(o));
  const texts = agent.trace.map((t) => t.text);
  await agent.dispose();
  return { out, texts };
}

it('gives the same greedy turns and actions on onnx and on tfjs (wasm)', async () => {
  const onnx = await actions('onnx');
  const tfjs = await actions('tfjs', 'wasm');
  expect(tfjs.texts).toEqual(onnx.texts);
  expect(tfjs.out).toEqual(onnx.out);
});
