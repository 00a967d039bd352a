import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, type Action, type ObjectState, type Pose } from '@actllm/core';
import {
  COLOR_NAMES,
  CONTAINER_SHAPES,
  DARK_VARIANTS,
  NOVEL_CONTAINERS,
  OBJECT_SHAPES,
  TabletopEnv,
  TWIST_ANGLES_DEG,
  containerCentre,
  getPartition,
  getShape,
  getTask,
  isInside,
  listTasks,
  type TaskFamily,
} from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create({
    views: { top: { width: 32, height: 32 }, front: { width: 32, height: 16 } },
  });
});
afterAll(() => env.close());

const SWEEPS = ['sweep_without_exceeding', 'sweep_without_touching'];
const home = (task: string): string =>
  getPartition('train').tasks.includes(task) ? 'train' : 'L4';

const find = (objects: readonly ObjectState[], id: string): ObjectState => {
  const o = objects.find((x) => x.id === id);
  if (!o) throw new Error(`no ${id}`);
  return o;
};

/** Runs a policy (a function of the environment) to the end; returns the last result. */
function run(policy: () => Action) {
  let r;
  do r = env.step(policy());
  while (!r.done);
  return r;
}

describe('end effectors', () => {
  it('mounts the spatula for the sweeps and the suction cup elsewhere, in metadata and observations', () => {
    for (const task of listTasks()) {
      const tool = SWEEPS.includes(task) ? 'spatula' : 'suction';
      expect(env.metadata.endEffectors?.[task], task).toBe(tool);
      const obs = env.reset({ seed: 1, task, partition: home(task) });
      expect(obs.endEffector, task).toBe(tool);
      expect(env.episode.endEffector).toBe(tool);
    }
  });

  it('refuses pick_place in both sweeps: a typed refusal that changes nothing and uses up a step', () => {
    for (const task of SWEEPS) {
      const obs = env.reset({ seed: 2, task, partition: home(task) });
      const goal = env.episode.goal as { targets: string[]; zone: string };
      const block = find(obs.objects ?? [], goal.targets[0] ?? '');
      const zone = find(obs.objects ?? [], goal.zone);
      const lift: Action = {
        kind: 'pick_place',
        from: block.pose,
        to: { ...containerCentre(zone), theta: 0 },
      };
      const r = env.step(lift);
      expect(r.info.invalidAction?.code).toBe('INVALID_ACTION');
      expect(r.info['invalidReason']).toBe('wrong_end_effector');
      expect(r.observation.step).toBe(1);
      expect(env.objects).toEqual(obs.objects);
    }
  });

  it('refuses push under the suction cup', () => {
    const obs = env.reset({ seed: 3, task: 'visual_manipulation' });
    const o = (obs.objects ?? [])[1];
    if (!o) throw new Error('no object');
    const r = env.step({ kind: 'push', from: o.pose, to: { ...o.pose, x: o.pose.x + 0.1 } });
    expect(r.info['invalidReason']).toBe('wrong_end_effector');
    expect(env.objects).toEqual(obs.objects);
  });

  it('ends a plain loop of refused actions at the step limit', () => {
    env.reset({ seed: 4, task: 'rotate' });
    const bad = {
      kind: 'push',
      from: { x: Number.NaN, y: 0, theta: 0 },
      to: { x: 0, y: 0, theta: 0 },
    };
    let calls = 0;
    const r = run(() => {
      calls += 1;
      return bad as Action;
    });
    expect(calls).toBe(env.episode.maxSteps);
    expect(r.info.outcome).toBe('step_limit');
  });
});

describe('container families: the distractor check', () => {
  it('fails visual_manipulation when everything is dumped into the container', () => {
    let both = 0;
    for (let seed = 0; seed < 6; seed++) {
      const obs = env.reset({ seed, task: 'visual_manipulation' });
      const goal = env.episode.goal as { target: string; container: string };
      const c = find(obs.objects ?? [], goal.container);
      const others = (obs.objects ?? []).filter((o) => o.id !== c.id && o.id !== goal.target);
      const family = getTask('visual_manipulation');
      // Everything inside: the target and every distractor.
      const dumped = (obs.objects ?? []).map((o) =>
        o.id === c.id ? o : { ...o, pose: { ...containerCentre(c), theta: 0 }, z: 0.01 },
      );
      expect(dumped.filter((o) => o.id !== c.id).every((o) => isInside(o, c))).toBe(true);
      const state = { objects: dumped, initial: obs.objects ?? [] };
      expect(family.success(goal, state)).toBe(false);
      // In the simulator: a distractor first, then the target, side by side in the container.
      const first = others[0];
      if (!first) throw new Error('no distractor');
      const centre = containerCentre(c);
      const side = (dx: number) => ({ x: centre.x + dx, y: centre.y, theta: 0 });
      env.step({ kind: 'pick_place', from: first.pose, to: side(0.035) });
      const t = find(env.objects, goal.target);
      const r = env.step({ kind: 'pick_place', from: t.pose, to: side(-0.035) });
      const box = find(env.objects, c.id);
      if (
        isInside(find(env.objects, goal.target), box) &&
        isInside(find(env.objects, first.id), box)
      )
        both += 1;
      expect(r.success, `seed ${seed}`).toBe(false);
    }
    expect(both).toBeGreaterThan(0);
  });

  it('fails every container family when a distractor is inside at the end', () => {
    const families = [
      'scene_understanding',
      'novel_noun',
      'novel_adj',
      'same_shape',
      'manipulate_old_neighbor',
    ];
    for (const task of families) {
      env.reset({ seed: 5, task });
      run(() => env.oracleAction());
      expect(env.episode.success, task).toBe(true);
      const goal = env.episode.goal as { container: string };
      const c = find(env.objects, goal.container);
      const ids = new Set(JSON.stringify(goal).match(/obj\d+/g) ?? []);
      const stray = env.objects.find((o) => !ids.has(o.id) && !getShape(o.shape).container);
      if (!stray) throw new Error(`no distractor in ${task}`);
      const objects = env.objects.map((o) =>
        o.id === stray.id ? { ...o, pose: { ...containerCentre(c), theta: 0 }, z: 0.01 } : o,
      );
      const state = { objects, initial: env.objects, history: [env.objects, objects] };
      expect(getTask(task).success(env.episode.goal, state), task).toBe(false);
    }
  });
});

describe('early termination', () => {
  it('ends the episode as a failure when an object leaves the workspace', () => {
    const obs = env.reset({ seed: 6, task: 'rotate' });
    const o = (obs.objects ?? [])[0];
    if (!o) throw new Error('no object');
    // Picked 0.015 left of its centre and released at the right edge: the centre ends past x = 1.
    const from = { ...o.pose, x: o.pose.x - 0.015 };
    const r = env.step({ kind: 'pick_place', from, to: { x: 1, y: 0.5, theta: from.theta } });
    expect(find(env.objects, o.id).pose.x).toBeGreaterThan(1);
    expect(r.done).toBe(true);
    expect(r.info.outcome).toBe('failure');
    expect(r.info['failure']).toBe('left_workspace');
  });

  it('checks a rule at every physics substep of a push and ends the episode once it breaks', () => {
    type During = TaskFamily['during'];
    const family = getTask('sweep_without_touching') as { during?: During };
    const original = family.during;
    let calls = 0;
    let breakAt = Infinity;
    family.during = () => {
      calls += 1;
      return calls >= breakAt;
    };
    try {
      env.reset({ seed: 1, task: 'sweep_without_touching', partition: 'L4' });
      // Through empty table at the workspace's edge: nothing moves, nothing breaks the real rule.
      const from = { x: 0.02, y: 0.02, theta: 0 };
      const to = { x: 0.22, y: 0.02, theta: 0 };
      expect(env.step({ kind: 'push', from, to }).done).toBe(false);
      // 0.2 at 0.5 units/s in steps of 1/60 s: 24 substeps.
      expect(calls).toBe(24);
      breakAt = calls + 5;
      const r = env.step({ kind: 'push', from: to, to: from });
      expect(calls).toBe(29); // once broken, it stays broken: no more checks

      expect(r.info.outcome).toBe('failure');
      expect(r.info['failure']).toBe('rule_broken');
    } finally {
      family.during = original;
    }
  });

  it('sweep_without_exceeding flags a block past the line in mid-push', () => {
    const obs = env.reset({ seed: 7, task: 'sweep_without_exceeding' });
    const goal = env.episode.goal as {
      targets: string[];
      limit: { x: number; y: number; nx: number; ny: number };
    };
    const family = getTask('sweep_without_exceeding');
    const poses = (obs.objects ?? []).map((o) => ({ id: o.id, ...o.pose, z: o.z }));
    expect(family.during?.(goal, poses, obs.objects ?? [])).toBe(false);
    const { limit } = goal;
    const past = poses.map((p) =>
      p.id === goal.targets[0]
        ? { ...p, x: limit.x + 0.01 * limit.nx, y: limit.y + 0.01 * limit.ny }
        : p,
    );
    expect(family.during?.(goal, past, obs.objects ?? [])).toBe(true);
  });
});

describe('sweeps: number words and distractors', () => {
  it('asks for one, two, three or all blocks, and needs exactly that many in, no distractor', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const s = getTask('sweep_without_exceeding').sample(new Rng(seed), getPartition('train'));
      const goal = s.goal as { targets: string[]; count: number };
      const word = /(?:Sweep|Push) (one|two|three|all) /.exec(s.instruction.text)?.[1] ?? '';
      seen.add(word);
      const expected = { one: 1, two: 2, three: 3, all: goal.targets.length }[word];
      expect(goal.count, s.instruction.text).toBe(expected);
      const blocks = s.scene.filter((o) => o.shape === 'block');
      expect(blocks.length).toBeGreaterThan(goal.targets.length); // distractors too
      const colours = new Set(
        blocks.filter((b) => goal.targets.includes(b.id)).map((b) => b.color),
      );
      expect(colours.size).toBe(1);
    }
    expect([...seen].sort()).toEqual(['all', 'one', 'three', 'two']);
  });

  it('fails with one block too many, or with a distractor, inside the zone', () => {
    for (let seed = 0; seed < 30; seed++) {
      const obs = env.reset({ seed, task: 'sweep_without_exceeding' });
      const goal = env.episode.goal as {
        targets: string[];
        count: number;
        zone: string;
        slots: { x: number; y: number }[];
      };
      if (goal.count >= goal.targets.length || goal.count > 2) continue;
      const initial = obs.objects ?? [];
      const put = (objects: readonly ObjectState[], ids: string[]) =>
        objects.map((o) => {
          const i = ids.indexOf(o.id);
          const slot = goal.slots[i];
          return i >= 0 && slot ? { ...o, pose: { ...slot, theta: 0 } } : o;
        });
      const family = getTask('sweep_without_exceeding');
      const state = (objects: readonly ObjectState[]) => ({
        objects,
        initial,
        history: [initial, objects],
      });
      const exact = put(initial, goal.targets.slice(0, goal.count));
      expect(family.success(goal, state(exact))).toBe(true);
      const tooMany = put(initial, goal.targets.slice(0, goal.count + 1));
      expect(family.success(goal, state(tooMany))).toBe(false);
      const distractor = initial.find((o) => o.shape === 'block' && !goal.targets.includes(o.id));
      if (!distractor) throw new Error('no distractor');
      const withStray = put(initial, [...goal.targets.slice(0, goal.count), distractor.id]);
      expect(family.success(goal, state(withStray))).toBe(false);
      return;
    }
    throw new Error('no episode asking for fewer blocks than the scene holds');
  });

  it('the sweep oracle never issues a push of zero length, static or disturbed', () => {
    for (const task of SWEEPS) {
      for (const dynamic of ['none', 'strong'] as const) {
        for (let seed = 0; seed < 4; seed++) {
          env.reset({ seed, task, partition: home(task), dynamic });
          run(() => {
            const a = env.oracleAction();
            expect(Math.hypot(a.to.x - a.from.x, a.to.y - a.from.y)).toBeGreaterThan(0.01);
            return a;
          });
        }
      }
    }
  });
});

/** Runs a memoryless policy (a function of the current objects only) over seeds; the success rate. */
function rate(task: string, seeds: number, policy: (objects: readonly ObjectState[]) => Action) {
  let ok = 0;
  for (let seed = 0; seed < seeds; seed++) {
    env.reset({ seed, task });
    if (run(() => policy(env.objects)).success) ok += 1;
  }
  return ok / seeds;
}

const lift = (o: ObjectState, to: { x: number; y: number }): Action => ({
  kind: 'pick_place',
  from: o.pose,
  to: { x: to.x, y: to.y, theta: o.pose.theta },
});

describe('memory families cannot be solved without memory', () => {
  it('pick_in_order_then_restore: the start container varies and a memoryless guess fails', () => {
    const starts = new Set<string>();
    const policy = (objects: readonly ObjectState[]): Action => {
      const goal = env.episode.goal as { target: string; visits: string[] };
      const t = find(objects, goal.target);
      const [first, second] = [
        find(objects, goal.visits[0] ?? ''),
        find(objects, goal.visits[1] ?? ''),
      ];
      if (isInside(t, second)) {
        // Restore: the instruction never names it, so guess the unnamed container nearest by.
        const unnamed = objects
          .filter((o) => getShape(o.shape).container && o.id !== first.id && o.id !== second.id)
          .sort(
            (a, b) =>
              Math.hypot(a.pose.x - t.pose.x, a.pose.y - t.pose.y) -
              Math.hypot(b.pose.x - t.pose.x, b.pose.y - t.pose.y),
          );
        return lift(t, containerCentre(unnamed[0] ?? first));
      }
      return lift(t, containerCentre(isInside(t, first) ? second : first));
    };
    for (let seed = 0; seed < 20; seed++) {
      const obs = env.reset({ seed, task: 'pick_in_order_then_restore' });
      const goal = env.episode.goal as { visits: string[] };
      starts.add(find(obs.objects ?? [], goal.visits[2] ?? '').shape);
      const unnamed = (obs.objects ?? []).filter((o) => getShape(o.shape).container);
      expect(unnamed.length).toBe(4);
    }
    expect(starts.size).toBeGreaterThan(1);
    expect(
      rate('pick_in_order_then_restore', 20, (o) => env.oracleAction() && policy(o)),
    ).toBeLessThan(0.8);
    expect(rate('pick_in_order_then_restore', 20, () => env.oracleAction())).toBe(1);
  });

  it('manipulate_old_neighbor: four directions, the first object first, and a memoryless guess fails', () => {
    const directions = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      env.reset({ seed, task: 'manipulate_old_neighbor' });
      directions.add((env.episode.goal as { direction: string }).direction);
    }
    expect([...directions].sort()).toEqual(['back', 'front', 'left', 'right']);
    const unit: Record<string, { x: number; y: number }> = {
      left: { x: -1, y: 0 },
      right: { x: 1, y: 0 },
      front: { x: 0, y: -1 },
      back: { x: 0, y: 1 },
    };
    const policy = (objects: readonly ObjectState[]): Action => {
      const goal = env.episode.goal as { first: string; container: string; direction: string };
      const c = find(objects, goal.container);
      const first = find(objects, goal.first);
      if (!isInside(first, c)) return lift(first, containerCentre(c));
      // "The object that was to its left" read from the scene as it is now.
      const u = unit[goal.direction] ?? { x: -1, y: 0 };
      const candidates = objects
        .filter((o) => o.id !== c.id && !isInside(o, c))
        .sort(
          (a, b) =>
            -((a.pose.x - first.pose.x) * u.x + (a.pose.y - first.pose.y) * u.y) +
            ((b.pose.x - first.pose.x) * u.x + (b.pose.y - first.pose.y) * u.y),
        );
      const pick = candidates[0] ?? first;
      const spot = { x: containerCentre(c).x + 0.05, y: containerCentre(c).y + 0.05 };
      return lift(pick, spot);
    };
    expect(rate('manipulate_old_neighbor', 20, policy)).toBeLessThan(0.6);
    // The neighbour first, then the first object: out of order, a failure at once.
    const obs = env.reset({ seed: 3, task: 'manipulate_old_neighbor' });
    const goal = env.episode.goal as { second: string; container: string };
    const c = find(obs.objects ?? [], goal.container);
    const r = env.step(lift(find(obs.objects ?? [], goal.second), containerCentre(c)));
    expect(r.info.outcome).toBe('failure');
    expect(r.info['failure']).toBe('rule_broken');
  });
});

describe('what the families demonstrate', () => {
  it('novel_adj compares size, height or lightness, with two or three examples', () => {
    const kinds = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const s = getTask('novel_adj').sample(new Rng(seed), getPartition('train'));
      const assets = s.instruction.assets ?? {};
      const examples = Object.keys(assets).filter((k) => k.startsWith('adj_a')).length;
      expect(examples).toBeGreaterThanOrEqual(2);
      const goal = s.goal as { target: string };
      const target = s.scene.find((o) => o.id === goal.target);
      const twin = s.scene.find((o) => o.id !== goal.target && o.shape === target?.shape);
      if (!target || !twin) throw new Error('no compared pair');
      const a = assets['adj_a1'];
      const b = assets['adj_b1'];
      if (a?.kind !== 'object' || b?.kind !== 'object') throw new Error('no example pair');
      // The target differs from its twin the way the first example object differs from the second.
      if (target.scale !== twin.scale) {
        kinds.add('size');
        expect(target.scale > twin.scale).toBe(a.object.scale > b.object.scale);
      } else if ((target.height ?? 1) !== (twin.height ?? 1)) {
        kinds.add('height');
        expect((target.height ?? 1) > (twin.height ?? 1)).toBe(
          (a.object.height ?? 1) > (b.object.height ?? 1),
        );
      } else {
        kinds.add('lightness');
        const dark = (c: string) => [...DARK_VARIANTS.values()].includes(c);
        expect(dark(target.color)).toBe(dark(a.object.color));
        expect(dark(target.color)).not.toBe(dark(twin.color));
      }
    }
    expect([...kinds].sort()).toEqual(['height', 'lightness', 'size']);
  });

  it('twist shows several examples and angles from 30 to 330 degrees', () => {
    expect(Math.min(...TWIST_ANGLES_DEG)).toBe(30);
    expect(Math.max(...TWIST_ANGLES_DEG)).toBe(330);
    const angles = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const s = getTask('twist').sample(new Rng(seed), getPartition('train'));
      expect(s.instruction.assets?.['before2']?.kind).toBe('scene');
      angles.add(Math.round(((s.goal as { angle: number }).angle * 180) / Math.PI));
    }
    expect([...angles].some((a) => a > 180)).toBe(true);
  });

  it('rearrange puts the distractor on a goal spot about half the time', () => {
    let blocked = 0;
    for (let seed = 0; seed < 40; seed++) {
      const s = getTask('rearrange').sample(new Rng(seed), getPartition('train'));
      const goal = s.goal as { targets: { pose: Pose }[]; distractor: string };
      const d = s.scene.find((o) => o.id === goal.distractor);
      if (goal.targets.some((t) => d && t.pose.x === d.pose.x && t.pose.y === d.pose.y)) blocked++;
    }
    expect(blocked).toBeGreaterThan(10);
    expect(blocked).toBeLessThan(30);
  });

  it('names objects by picture or by words in train, and only by picture when novel (L3)', () => {
    const forms = { train: new Set<string>(), L3: new Set<string>() };
    for (const level of ['train', 'L3'] as const) {
      for (let seed = 0; seed < 30; seed++) {
        const s = getTask('visual_manipulation').sample(new Rng(seed), getPartition(level));
        forms[level].add(s.instruction.text.includes('{target}') ? 'picture' : 'words');
      }
    }
    expect([...forms.train].sort()).toEqual(['picture', 'words']);
    expect([...forms.L3]).toEqual(['picture']);
  });

  it('has at least 20 object shapes, 24 looks and a container kept for L3', () => {
    expect(OBJECT_SHAPES.length).toBeGreaterThanOrEqual(20);
    expect(COLOR_NAMES.length).toBeGreaterThanOrEqual(24);
    expect(COLOR_NAMES.filter((c) => c.startsWith('dark_')).length).toBeGreaterThanOrEqual(6);
    for (const c of NOVEL_CONTAINERS) {
      expect(CONTAINER_SHAPES).toContain(c);
      for (const p of ['train', 'L1', 'L2', 'L4'])
        expect(getPartition(p).containerShapes).not.toContain(c);
      expect(getPartition('L3').containerShapes).toContain(c);
    }
  });
});
