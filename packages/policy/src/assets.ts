import type { Instruction, PromptAsset } from '@actllm/core';
import { toCompact, type SceneDescriptor } from '@actllm/descriptor';
import { PLACEHOLDER } from '@actllm/dialogue';
import { PolicyError } from './errors.js';

/** An observation model for prompt assets: what one asset shows, as a scene descriptor. */
export type DescribeAsset = (asset: PromptAsset, name: string) => SceneDescriptor;

/**
 * The instruction with every `{asset}` written out as the scene descriptor of what it shows
 * and no image left: the language model then finds the objects an instruction shows among
 * the scene's objects in one vocabulary, instead of matching pictures to words (LLaRA
 * rewrites VIMA's prompt images into text the same way). In training `describe` is the
 * asset's truth; the agent describes the pictures with its observation model.
 */
export function describeAssets(
  instruction: Instruction,
  describe: DescribeAsset,
  bins: number,
): Instruction {
  const assets = instruction.assets ?? {};
  const text = instruction.text.replace(PLACEHOLDER, (_, name: string) => {
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset)
      throw new PolicyError(
        'POLICY_INVALID_BATCH',
        `The instruction names {${name}}, but it carries no asset "${name}"; add it to instruction.assets.`,
      );
    return ` ${toCompact(describe(asset, name), { bins })} `;
  });
  return { text: text.replace(/\s+/g, ' ').trim() };
}
