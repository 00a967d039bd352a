import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isActllmError } from '@actllm/core';
import { fromOnnx, initParameters, run } from '@actllm/graph';
import {
  PARITY_TRANSFORMER,
  tensorError,
  transformerBatch,
  transformerLm,
} from '@actllm/graph/parity';
import * as ort from 'onnxruntime-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'actllm-onnx-export-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('exportOnnx', () => {
  const graph = transformerLm(PARITY_TRANSFORMER);
  const weights = initParameters(graph, 4);

  it('writes model.onnx into a directory; onnxruntime runs it like the interpreter', async () => {
    const path = await exportOnnx(graph, weights, dir);
    expect(path).toBe(join(dir, 'model.onnx'));
    expect(readdirSync(dir)).toEqual(['model.onnx']);
    const feeds = transformerBatch(PARITY_TRANSFORMER, 2, 3);
    const session = await ort.InferenceSession.create(path);
    const out = await session.run({
      ids: new ort.Tensor('int64', feeds.ids!.data, [...feeds.ids!.shape]),
      targets: new ort.Tensor('int64', feeds.targets!.data, [...feeds.targets!.shape]),
    });
    const want = run(graph, { ...feeds, ...weights });
    const logits = out.logits!;
    expect(
      tensorError(
        { dtype: 'float32', shape: logits.dims, data: logits.data as Float32Array },
        want.logits!,
      ),
    ).toBeLessThan(1e-4);
    await session.release();
    expect(fromOnnx(readFileSync(path)).graph.outputs.map((o) => o.name)).toEqual([
      'logits',
      'loss',
    ]);
  });

  it('replaces an existing file by rename, leaving no temporary file', async () => {
    const path = join(dir, 'custom.onnx');
    writeFileSync(path, 'old');
    await exportOnnx(graph, weights, path);
    expect(readFileSync(path).length).toBeGreaterThan(1000);
    expect(readdirSync(dir)).toEqual(['custom.onnx']);
  });

  it('fails with a typed error (and no leftovers) when the directory does not exist', async () => {
    const path = join(dir, 'missing', 'model.onnx');
    await expect(exportOnnx(graph, weights, path)).rejects.toSatisfy((e) =>
      isActllmError(e, 'ONNX_EXPORT_FAILED'),
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});
