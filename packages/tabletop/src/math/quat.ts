/** Minimal 3D vector and quaternion helpers (z is up, yaw is a rotation about z). */

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export interface Quat {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** The rotation of `yaw` radians about the z axis. */
export function yawQuat(yaw: number): Quat {
  return { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) };
}

/** Hamilton product a * b (apply b first, then a). */
export function quatMul(a: Quat, b: Quat): Quat {
  return {
    w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
    x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
    y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
    z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
  };
}

/** Yaw (heading about z) of a rotation, in (-pi, pi]. */
export function quatYaw(q: Quat): number {
  return Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

/** Rotates `v` by the unit quaternion `q`. */
export function rotateVec(q: Quat, v: Vec3): Vec3 {
  // t = 2 * cross(q.xyz, v); v' = v + w * t + cross(q.xyz, t)
  const tx = 2 * (q.y * v.z - q.z * v.y);
  const ty = 2 * (q.z * v.x - q.x * v.z);
  const tz = 2 * (q.x * v.y - q.y * v.x);
  return {
    x: v.x + q.w * tx + (q.y * tz - q.z * ty),
    y: v.y + q.w * ty + (q.z * tx - q.x * tz),
    z: v.z + q.w * tz + (q.x * ty - q.y * tx),
  };
}

/** A rigid transform: rotate, then translate. */
export interface Transform {
  readonly position: Vec3;
  readonly rotation: Quat;
}

export function applyTransform(t: Transform, v: Vec3): Vec3 {
  const r = rotateVec(t.rotation, v);
  return { x: r.x + t.position.x, y: r.y + t.position.y, z: r.z + t.position.z };
}
