#!/usr/bin/env bash
# `npm run demo`: build stack, make the busybox example image, import it and bring up
# examples/hello. Afterwards: curl http://127.0.0.1:8080/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/host-deps.sh
npm run build --silent
node scripts/build-busybox-image.mjs .stack-demo/busybox-oci --tag stack.local/busybox:latest >/dev/null
bin/stack image import .stack-demo/busybox-oci --tag stack.local/busybox:latest
bin/stack -f examples/hello/stack.yaml up -d
echo
echo "examples/hello is up. Try:"
echo "  curl http://127.0.0.1:8080/"
echo "  npx stack -f examples/hello/stack.yaml ps"
echo "  npx stack -f examples/hello/stack.yaml logs client"
echo "  npx stack -f examples/hello/stack.yaml down"
