import { resolve } from 'node:path';
import { DEFAULT_NORMALIZATION, tokensPerView } from '@actllm/encoder';
import { END_TOKEN, IMAGE_TOKEN } from '@actllm/dialogue';
import { eliminateIdentities, toOnnx, type Graph, type TensorRef } from '@actllm/graph';
import {
  CHECKPOINT_VERSION,
  DECODER_NAMES,
  POLICY_NAMES,
  buildDecoderGraph,
  buildVisualGraph,
  loadCheckpoint,
  type Checkpoint,
} from '@actllm/policy';
import { COMMON, required, type CommandDef } from '../command.js';
import { text } from '../config.js';
import { usage } from '../errors.js';
import { checkOutputFolder, writeOutputFolder } from '../output-folder.js';
import { fields, printResult, table } from '../output.js';
import { jsonText, requireDir } from '../paths.js';

/**
 * `actllm export`: a checkpoint as a folder laid out the way transformers.js and Hugging Face
 * tooling expect (config.json, tokenizer.json, tokenizer_config.json, onnx/*.onnx). The
 * graphs are the very ones the agent runs (the policy's decoder, one visual graph per view),
 * serialized with graph's `toOnnx` and the checkpoint's weights.
 */

export const DECODER_FILE = 'onnx/decoder_model_merged.onnx';
export const visionFile = (view: string) => `onnx/vision_encoder_${view}.onnx`;

/** Inputs and outputs of a graph as `{ name, dtype, shape }` (symbolic dims as names). */
function io(refs: readonly TensorRef[]) {
  return refs.map((r) => ({ name: r.name, dtype: r.dtype, shape: [...r.shape] }));
}

/** The `config.json` of the export: the policy's config plus the fields loaders read. */
export function exportConfig(model: Checkpoint, decoder: Graph, visual: Map<string, Graph>) {
  const { config, tokenizer } = model;
  const { lm } = config;
  const perView = tokensPerView(config.encoder);
  return {
    model_type: 'actllm',
    version: CHECKPOINT_VERSION,
    ...config,
    // Read by transformers.js for a decoder with a KV cache (past_key_values.{i}.key/value).
    num_hidden_layers: lm.layers,
    num_attention_heads: lm.heads,
    num_key_value_heads: lm.heads,
    hidden_size: lm.dModel,
    head_dim: lm.dModel / lm.heads,
    intermediate_size: lm.ff ?? 4 * lm.dModel,
    vocab_size: config.vocab,
    max_position_embeddings: lm.maxLength,
    use_cache: true,
    torch_dtype: 'float32',
    pad_token_id: tokenizer.padId,
    eos_token_id: tokenizer.id(END_TOKEN) ?? null,
    // Images: each slot is tokens_per_image[view] image tokens, replaced by the view's visual
    // tokens (visual.<view> rows at visual_index.<view>, where visual_mask.<view> is 1).
    image_token: IMAGE_TOKEN,
    image_token_index: tokenizer.id(IMAGE_TOKEN) ?? null,
    tokens_per_image: perView,
    vision: Object.fromEntries(
      Object.entries(config.encoder.views).map(([view, size]) => [
        view,
        {
          file: visionFile(view),
          height: size.height,
          width: size.width,
          tokens: perView[view],
          layout: 'NHWC float32, (rgb / 255 - mean) / std',
          normalization: DEFAULT_NORMALIZATION,
          inputs: io(visual.get(view)?.inputs ?? []),
          outputs: io(visual.get(view)?.outputs ?? []),
        },
      ]),
    ),
    decoder: {
      file: DECODER_FILE,
      mask: `${DECODER_NAMES.mask}: bool [batch, 1, new, past + new], true where a new position may attend`,
      positions: `${POLICY_NAMES.positions}: int64 [new], the absolute positions of the new tokens`,
      inputs: io(decoder.inputs),
      outputs: io(decoder.outputs),
    },
  };
}

export const exportCommand: CommandDef = {
  name: 'export',
  summary: 'export a checkpoint as ONNX + tokenizer files laid out for transformers.js',
  specs: [
    { flags: '--checkpoint <dir>', description: 'checkpoint folder of actllm train', kind: text },
    {
      flags: '--out <dir>',
      description: 'folder to write (config.json, tokenizer files, onnx/)',
      kind: text,
    },
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm export --checkpoint ckpt/run1 --out export/run1
  $ actllm export --checkpoint ckpt/run1 --out export/run1 --json
  Writes config.json, tokenizer.json, tokenizer_config.json, onnx/vision_encoder_<view>.onnx
  and onnx/decoder_model_merged.onnx (KV cache: past_key_values.{i}.key/value in,
  present.{i}.key/value out), all at once; an earlier export there is replaced.`,
  async run(o, io_) {
    const checkpoint = required<string>(o, 'checkpoint', '--checkpoint');
    const out = required<string>(o, 'out', '--out');
    if (resolve(out) === resolve(checkpoint))
      throw usage('--out must not be the --checkpoint folder; pass a new folder for the export.');
    checkOutputFolder(out, DECODER_FILE, 'export');
    requireDir(checkpoint, '--checkpoint', 'pass the --out folder of actllm train');
    const started = performance.now();
    const model = await loadCheckpoint(checkpoint);
    const onnx = (graph: Graph) => toOnnx(eliminateIdentities(graph), model.weights);
    const decoder = buildDecoderGraph(model.config);
    const visual = new Map(
      Object.keys(model.config.encoder.views).map((v) => [v, buildVisualGraph(model.config, v)]),
    );
    const files = new Map<string, string | Uint8Array>([
      ['config.json', jsonText(exportConfig(model, decoder, visual))],
      ['tokenizer.json', jsonText(model.tokenizer.toHuggingFace())],
      [
        'tokenizer_config.json',
        jsonText({
          ...model.tokenizer.huggingFaceConfig(),
          model_max_length: model.config.lm.maxLength,
          image_token: IMAGE_TOKEN,
        }),
      ],
    ]);
    for (const [view, graph] of visual) files.set(visionFile(view), onnx(graph));
    files.set(DECODER_FILE, onnx(decoder));
    writeOutputFolder(out, files);
    const seconds = (performance.now() - started) / 1000;
    const sizes = [...files].map(([path, data]) => ({
      path,
      bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength,
    }));
    const total = sizes.reduce((s, f) => s + f.bytes, 0);
    printResult(
      io_,
      {
        command: 'export',
        out,
        checkpoint,
        seconds: Math.round(seconds * 10) / 10,
        files: sizes,
        bytes: total,
        decoder: { inputs: decoder.inputs.length, outputs: decoder.outputs.length },
      },
      () =>
        [
          fields([
            ['checkpoint', checkpoint],
            [
              'written',
              `${resolve(out)} (${files.size} files, ${(total / 2 ** 20).toFixed(2)} MiB)`,
            ],
            [
              'decoder',
              `${model.config.lm.layers} layer${model.config.lm.layers === 1 ? '' : 's'}, ${decoder.inputs.length} inputs, ${decoder.outputs.length} outputs (past_key_values.{i}.key/value -> present.{i}.key/value)`,
            ],
          ]),
          '',
          table(
            ['file', 'bytes'],
            sizes.map((f) => [f.path, f.bytes]),
          ),
        ].join('\n'),
    );
  },
};
