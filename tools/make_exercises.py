"""One-off generator kept for review: writes src/backsafe/data/exercises.json (then edited by hand)."""
import json
R, A, S, K, P, T, J, D = ("back_rounding",), ("back_arching",), ("lateral_shift",), ("knee_valgus", "knee_varus"), ("hip_rotation",), ("rushing",), ("jumping",), ("load_far_from_body",)
def ex(id, name, impact, spine, met, met_code, view, signal, first, tempo, faults, regress, progress, recovering=None, kind="reps", loaded=False, pattern="squat", extra=None):
    d = dict(id=id, name=name, impact=impact, spinal_load=spine, met=met, met_code=met_code, views=view,
             primary_signal=signal, first_phase=first, default_tempo=tempo, kind=kind, loaded=loaded,
             pattern=pattern, faults=sorted(set(sum(faults, ()))), regressions=regress, progressions=progress,
             while_recovering=recovering)
    if extra: d.update(extra)
    return d
squatf = (R, K, T, ("partial_range",), S)
L = []
L += [ex("squat", "Bodyweight squat", "low", "L", 3.8, "02022", ["side", "front", "oblique"], "knee_flexion", "eccentric", "3-1-2-0", squatf, ["box_squat", "sit_to_stand"], ["goblet_squat"])]
L += [ex("box_squat", "Box squat", "low", "L", 3.8, "02022", ["side", "front"], "knee_flexion", "eccentric", "3-1-2-0", squatf, ["sit_to_stand"], ["squat"])]
L += [ex("goblet_squat", "Goblet squat", "low", "M", 5.0, "02052", ["side", "front"], "knee_flexion", "eccentric", "3-1-2-0", squatf, ["squat"], ["back_squat"], loaded=True)]
L += [ex("back_squat", "Back squat", "low", "H", 5.0, "02052", ["side", "front"], "knee_flexion", "eccentric", "3-1-2-0", squatf + (A,), ["goblet_squat"], [], loaded=True)]
L += [ex("jump_squat", "Jump squat", "high", "H", 8.0, "02020", ["side", "front"], "knee_flexion", "eccentric", "2-0-X-0", (K, R, ("partial_range",)), ["squat"], [], recovering="squat", extra={"jump_expected": True})]
L += [ex("deadlift", "Deadlift", "low", "H", 6.0, "02050", ["side"], "hip_flexion", "concentric", "2-0-2-1", (R, D, S, T, ("hips_piked", "partial_range")), ["kettlebell_deadlift", "romanian_deadlift"], [], loaded=True, pattern="hinge")]
L += [ex("romanian_deadlift", "Romanian deadlift", "low", "M", 6.0, "02050", ["side"], "hip_flexion", "eccentric", "3-1-2-0", (R, D, K, T, ("partial_range",)), ["dowel_hinge"], ["deadlift"], loaded=True, pattern="hinge")]
L += [ex("kettlebell_deadlift", "Kettlebell deadlift", "low", "M", 5.0, "02050", ["side"], "hip_flexion", "concentric", "2-0-2-1", (R, D, T, ("partial_range",)), ["dowel_hinge"], ["deadlift", "kettlebell_swing"], loaded=True, pattern="hinge")]
L += [ex("dowel_hinge", "Dowel hip hinge", "low", "L", 2.8, "02024", ["side"], "hip_flexion", "eccentric", "3-1-2-0", (R, T, ("partial_range",)), [], ["romanian_deadlift"], pattern="hinge")]
L += [ex("good_morning", "Good morning", "low", "M", 3.5, "02054", ["side"], "hip_flexion", "eccentric", "3-1-2-0", (R, T, ("partial_range",)), ["dowel_hinge"], ["romanian_deadlift"], pattern="hinge")]
L += [ex("lunge", "Lunge", "low", "M", 3.8, "02022", ["side", "front"], "knee_flexion", "eccentric", "3-1-2-0", (K, P, S, T, ("partial_range",)), ["split_squat"], ["walking_lunge"], pattern="lunge")]
L += [ex("walking_lunge", "Walking lunge", "low", "M", 3.8, "02022", ["side", "front"], "knee_flexion", "eccentric", "2-0-2-0", (K, P, S, T), ["lunge"], [], pattern="lunge")]
L += [ex("split_squat", "Split squat", "low", "M", 3.8, "02022", ["side", "front"], "knee_flexion", "eccentric", "3-1-2-0", (K, P, S, T, ("partial_range",)), ["assisted_split_squat"], ["lunge"], pattern="lunge")]
L += [ex("assisted_split_squat", "Assisted split squat", "low", "L", 3.0, "02022", ["side", "front"], "knee_flexion", "eccentric", "3-1-2-0", (K, P, T), [], ["split_squat"], pattern="lunge")]
L += [ex("side_lunge", "Side lunge", "low", "M", 3.8, "02022", ["front"], "knee_flexion", "eccentric", "3-1-2-0", (K, S, T, ("partial_range",)), ["squat"], [], pattern="lunge")]
L += [ex("hurdle_step", "Hurdle step", "low", "L", 3.0, "02022", ["front", "side"], "hip_flexion", "concentric", "2-1-2-0", (P, S, T, R), ["single_leg_stance"], [], pattern="single_leg")]
L += [ex("step_up", "Step-up", "low", "L", 3.8, "02068", ["front"], "knee_flexion", "concentric", "2-0-2-0", (K, P, J), ["sit_to_stand"], [], pattern="single_leg")]
L += [ex("sit_to_stand", "Sit to stand", "low", "L", 3.0, "02022", ["side", "front"], "knee_flexion", "concentric", "2-1-2-1", (R, K, T), [], ["box_squat"], extra={"start_position": "seated"})]
L += [ex("plank", "Plank", "low", "L", 2.8, "02024", ["side"], None, "none", "0-0-0-0", (A, ("hips_piked",), R), ["knee_plank"], ["side_plank"], kind="hold", pattern="hold")]
L += [ex("knee_plank", "Plank from the knees", "low", "L", 2.5, "02024", ["side"], None, "none", "0-0-0-0", (A, ("hips_piked",)), [], ["plank"], kind="hold", pattern="hold")]
L += [ex("side_plank", "Side plank", "low", "L", 2.8, "02024", ["front"], None, "none", "0-0-0-0", (S, P), ["knee_plank"], [], kind="hold", pattern="hold")]
L += [ex("glute_bridge", "Glute bridge", "low", "L", 2.8, "02024", ["side", "front"], "hip_extension", "concentric", "2-1-2-0", (A, P, T), [], ["single_leg_glute_bridge"], pattern="bridge")]
L += [ex("single_leg_glute_bridge", "Single-leg glute bridge", "low", "L", 2.8, "02024", ["side", "front"], "hip_extension", "concentric", "2-1-2-0", (A, P, T), ["glute_bridge"], [], pattern="bridge")]
L += [ex("bird_dog", "Bird dog", "low", "L", 2.8, "02024", ["side"], "shoulder_elevation", "concentric", "2-2-2-0", (A, P, T), ["dead_bug"], [], pattern="core")]
L += [ex("dead_bug", "Dead bug", "low", "L", 2.8, "02024", ["side"], "shoulder_elevation", "concentric", "2-1-2-0", (A, T), [], ["bird_dog"], pattern="core")]
L += [ex("cat_camel", "Cat-camel", "low", "L", 2.3, "02101", ["side"], "trunk_inclination", "concentric", "2-1-2-1", (T,), [], [], pattern="mobility")]
L += [ex("curl_up", "McGill curl-up", "low", "L", 2.8, "02024", ["side"], "trunk_inclination", "concentric", "1-8-1-0", (R, T), [], [], pattern="core")]
L += [ex("clamshell", "Clamshell", "low", "L", 2.8, "02024", ["front"], "knee_separation", "concentric", "2-1-2-0", (P,), [], ["band_walk"], pattern="activation")]
L += [ex("lateral_raise", "Lateral raise", "low", "M", 3.5, "02054", ["front"], "shoulder_elevation", "concentric", "2-1-3-0", (A, D, T, S), ["bent_arm_lateral_raise"], [], loaded=True, pattern="raise")]
L += [ex("front_raise", "Front raise", "low", "M", 3.5, "02054", ["side"], "shoulder_elevation", "concentric", "2-1-3-0", (A, D, T, ("partial_range",)), ["bent_arm_front_raise"], [], loaded=True, pattern="raise")]
L += [ex("bicep_curl", "Bicep curl", "low", "L", 3.5, "02054", ["side"], "elbow_flexion", "concentric", "2-0-3-0", (A, T, ("partial_range",)), [], [], loaded=True, pattern="arm")]
L += [ex("shoulder_press", "Shoulder press", "low", "M", 3.5, "02054", ["side", "front"], "shoulder_elevation", "concentric", "2-0-3-0", (A, T, ("partial_range",)), ["seated_shoulder_press"], [], loaded=True, pattern="press")]
L += [ex("shrug", "Shrug", "low", "L", 3.5, "02054", ["front"], "shoulder_shrug", "concentric", "1-1-2-0", (A, T, ("partial_range",)), [], [], loaded=True, pattern="arm")]
L += [ex("bent_over_row", "Bent-over row", "low", "M", 3.5, "02054", ["side"], "elbow_flexion", "concentric", "2-1-2-0", (R, D, P, T), ["chest_supported_row"], [], loaded=True, pattern="hinge_hold")]
L += [ex("chest_supported_row", "Chest-supported row", "low", "L", 3.5, "02054", ["side"], "elbow_flexion", "concentric", "2-1-2-0", (T,), [], ["bent_over_row"], loaded=True, pattern="arm")]
L += [ex("kettlebell_swing", "Kettlebell swing", "low", "H", 8.0, "02040", ["side"], "hip_flexion", "eccentric", "X-0-X-0", (R, A, D), ["kettlebell_deadlift"], [], loaded=True, pattern="ballistic", extra={"rushing_exempt": True})]
L += [ex("push_up", "Push-up", "low", "M", 3.8, "02022", ["side"], "elbow_flexion", "eccentric", "3-1-2-0", (A, ("hips_piked", "partial_range"), T), ["incline_push_up"], [], pattern="push")]
L += [ex("incline_push_up", "Incline push-up", "low", "L", 3.0, "02022", ["side"], "elbow_flexion", "eccentric", "3-1-2-0", (A, ("hips_piked",), T), [], ["push_up"], pattern="push")]
L += [ex("burpee", "Burpee", "high", "H", 8.0, "02020", ["side"], "hip_height", "eccentric", "X-0-X-0", (J, R), ["step_back_burpee"], [], recovering="step_back_burpee", pattern="ballistic", extra={"jump_expected": True, "rushing_exempt": True})]
L += [ex("step_back_burpee", "Step-back burpee (no jump)", "low", "M", 5.0, "02020", ["side"], "hip_height", "eccentric", "2-0-2-0", (R, J), ["squat"], ["burpee"], pattern="ballistic")]
L += [ex("jump_lunge", "Jump lunge", "high", "H", 8.0, "02020", ["side", "front"], "knee_flexion", "eccentric", "X-0-X-0", (K, R), ["lunge"], [], recovering="split_squat", pattern="lunge", extra={"jump_expected": True, "rushing_exempt": True})]
L += [ex("jumping_jack", "Jumping jack", "high", "M", 8.0, "02020", ["front"], "shoulder_elevation", "concentric", "X-0-X-0", (), ["step_jack"], [], recovering="step_jack", pattern="ballistic", extra={"jump_expected": True, "rushing_exempt": True})]
L += [ex("step_jack", "Step jack (no jump)", "low", "L", 3.5, "02020", ["front"], "shoulder_elevation", "concentric", "1-0-1-0", (J,), [], ["jumping_jack"], pattern="ballistic", extra={"rushing_exempt": True})]
L += [ex("walking", "Walking", "low", "L", 3.5, "17190", ["side"], None, "none", "0-0-0-0", (), [], [], kind="continuous", pattern="cardio")]
L += [ex("swimming", "Swimming", "low", "L", 5.8, "18310", [], None, "none", "0-0-0-0", (), [], [], kind="continuous", pattern="cardio")]
L += [ex("single_leg_stance", "Single-leg stance", "low", "L", 2.3, "02101", ["front"], None, "none", "0-0-0-0", (S, P), [], ["hurdle_step"], kind="hold", pattern="hold")]
L += [ex("band_walk", "Band walk", "low", "L", 3.0, "02024", ["front"], None, "none", "0-0-0-0", (K, P), ["clamshell"], [], kind="continuous", pattern="activation")]
for d in L:
    d.setdefault("jump_expected", False); d.setdefault("rushing_exempt", False)
json.dump({"version": 1, "exercises": L}, open("src/backsafe/data/exercises.json", "w"), indent=1)
print(len(L))
