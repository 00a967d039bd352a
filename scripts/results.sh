#!/usr/bin/env bash
# Results and ablations of docs/results.md, end to end and seeded: one dataset, the shipped
# `default` recipe and four ablations trained on it with the same seed and budget, each
# evaluated on L1-L4, static and strong dynamic, with the oracle and random baselines, the
# observation model's own accuracy per level, and the learning curve. Writes results/ and
# then docs/results.md and docs/results.json (scripts/results-md.mjs).
#
#   bash scripts/results.sh [minutes per ablation, default 30] [episodes per task, default 20]
#
# On 2 CPU cores: about 5 x (minutes + 20) minutes. Shard the evaluations on a cluster with
# `actllm eval --shard K/N` and `actllm merge` (apps/cli/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-30}"
EPISODES="${2:-20}"
OUT=results
CLI="node apps/cli/dist/cli.js"
mkdir -p "$OUT"

[ -f "$OUT/data/train/dataset.json" ] ||
  $CLI generate --out "$OUT/data/train" --partition train --tasks all --episodes 100 --seed 1 --workers 2

train() { # name, extra flags
  local name="$1"
  shift
  [ -f "$OUT/ckpt/$name/model.safetensors" ] ||
    $CLI train --data "$OUT/data/train" --scenes 10000 --preset default --minutes "$MINUTES" \
      --batch-size 8 --lr 2e-3 --warmup 200 --seed 1 --augment noise=0.01 \
      --eval-every 1500 --eval-episodes 1 --out "$OUT/ckpt/$name" "$@"
}
evaluate() { # name, eval flags
  local name="$1"
  shift
  [ -f "$OUT/eval/$name/eval_info.json" ] ||
    $CLI eval --levels L1,L2,L3,L4 --modes static,strong --episodes "$EPISODES" --seed 2026 \
      --out "$OUT/eval/$name" "$@"
}

train all
train no_ac --loss ac=0
train no_obs_fwd --loss obs=0,fwd=0
train no_history --no-history

evaluate oracle --agent oracle
evaluate random --agent random
for name in all no_ac no_obs_fwd no_history; do
  evaluate "$name" --checkpoint "$OUT/ckpt/$name" --observations 40
done

node scripts/results-md.mjs "$OUT"
