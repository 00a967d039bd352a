#!/usr/bin/env bash
# Results and ablations of docs/results.md, end to end and seeded: the shipped checkpoint
# (checkpoints/default) and its learning curve, then one dataset and the shipped two-stage
# recipe with four ablations trained on it with the same seed and a shorter budget (one
# shared vision stage, then STEPS steps of stage 2 each, so every schedule runs to its end
# and the budget does not depend on the machine's load; the ablation without L_obs has no
# vision stage and trains as many more steps as the vision stage took time instead), each
# evaluated on L1-L4, static and strong dynamic, with the oracle and random baselines and
# the observation model's own accuracy per level. Writes results/ and then docs/results.md and docs/results.json
# (scripts/results-md.mjs). Every step is skipped when its output exists, so an interrupted
# run continues where it stopped.
#
#   bash scripts/results.sh [steps of stage 2 per ablation, default 1500] [episodes per task, default 20]
#
# Learning curve: copy the shipped run's checkpoint folder to results/ckpt/curve_<minutes>
# while it trains (it is saved every --checkpoint-every steps), e.g. at 10 and 30 minutes,
# and once more at the end; each is evaluated on the CI's L1 episodes. On 2 CPU cores the
# vision stage takes about 12 minutes, 1500 steps of stage 2 about 15 and each evaluation
# about 13. Shard the evaluations on a cluster with `actllm eval --shard K/N` and
# `actllm merge` (apps/cli/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-1500}"
EPISODES="${2:-20}"
OUT=results
CLI="node apps/cli/dist/cli.js"
mkdir -p "$OUT"

[ -f "$OUT/data/train/dataset.json" ] ||
  $CLI generate --out "$OUT/data/train" --partition train --tasks all --episodes 100 --seed 1 --workers 2

# The shipped recipe's two stages (checkpoints/default/README.md): a vision stage, shared by
# every ablation that keeps L_obs, then the policy for STEPS steps. Without L_obs there is no
# observation model to pre-train, so that ablation trains one stage for about the same total
# time: STEPS plus the vision stage's seconds at the `all` run's seconds per step.
VISION_STEPS=3000
vision() {
  [ -f "$OUT/ckpt/vision/model.safetensors" ] && return
  local started
  started=$(date +%s)
  $CLI train --data "$OUT/data/train" --scenes 8000 --preset default --steps "$VISION_STEPS" \
    --batch-size 16 --lr 2e-3 --warmup 100 --seed 1 \
    --loss obs=0,fwd=0,act=0,ac=0,cells=1 --out "$OUT/ckpt/vision"
  echo $(($(date +%s) - started)) > "$OUT/ckpt/vision.seconds"
}
train() { # name, steps, extra flags
  local name="$1" steps="$2"
  shift 2
  [ -f "$OUT/ckpt/$name/model.safetensors" ] ||
    $CLI train --data "$OUT/data/train" --scenes 3000 --preset default --steps "$steps" \
      --batch-size 8 --lr 2e-3 --warmup 200 --seed 1 --augment noise=0.01 \
      --out "$OUT/ckpt/$name" "$@"
}
evaluate() { # name, eval flags
  local name="$1"
  shift
  [ -f "$OUT/eval/$name/eval_info.json" ] ||
    $CLI eval --levels L1,L2,L3,L4 --modes static,strong --episodes "$EPISODES" --seed 2026 \
      --out "$OUT/eval/$name" "$@"
}

evaluate shipped --checkpoint checkpoints/default --observations 40
for curve in "$OUT"/ckpt/curve_*; do
  [ -d "$curve" ] || continue
  name="$(basename "$curve")"
  [ -f "$OUT/eval/$name/eval_info.json" ] ||
    $CLI eval --checkpoint "$curve" --levels L1 --episodes 4 --seed 2026 --out "$OUT/eval/$name"
done

evaluate oracle --agent oracle
evaluate random --agent random

# Each ablation is evaluated as soon as it is trained, so a run cut short keeps whole pairs.
ablation() { # name, steps, train flags
  local name="$1"
  train "$@"
  evaluate "$name" --checkpoint "$OUT/ckpt/$name" --observations 40
}
vision
STAGE2=(--init "$OUT/ckpt/vision" --describe-assets)
ablation all "$STEPS" "${STAGE2[@]}"
ablation no_ac "$STEPS" "${STAGE2[@]}" --loss ac=0
ablation no_history "$STEPS" "${STAGE2[@]}" --no-history
# The `all` run's last progress line: elapsed seconds over steps.
SECONDS_PER_STEP=$(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const last = lines.filter((l) => l.type === "progress").at(-1);
  console.log(last.elapsed / last.step);' "$OUT/ckpt/all/train_log.jsonl")
EXTRA=$(node -e 'console.log(Math.round(process.argv[1] / process.argv[2]))' \
  "$(cat "$OUT/ckpt/vision.seconds")" "$SECONDS_PER_STEP")
ablation no_obs_fwd "$((STEPS + EXTRA))" --loss obs=0,fwd=0

node scripts/results-md.mjs "$OUT"
