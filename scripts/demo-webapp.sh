#!/usr/bin/env bash
# `npm run demo:webapp`: build stack, make the images the example starts from (the busybox
# image, and a Debian 12 image with redis made once with debootstrap from Debian's archive,
# cached under /var/cache/stack-test), then `stack up -d`, which builds the `web` service
# from examples/webapp/Dockerfile. Afterwards: curl http://127.0.0.1:8081/cgi-bin/hits
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/host-deps.sh
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >/dev/null
npm run build --silent
node scripts/build-busybox-image.mjs .stack-demo/busybox-oci --tag stack.local/busybox:latest >/dev/null
bin/stack image import .stack-demo/busybox-oci --tag stack.local/busybox:latest
redis=$(node scripts/build-debian-minbase.mjs --include redis-server --name debian-redis)
bin/stack image import "$redis" --tag stack.local/redis:bookworm
bin/stack -f examples/webapp/stack.yaml up -d --wait
echo
echo "examples/webapp is up. Try:"
echo "  curl http://127.0.0.1:8081/cgi-bin/hits"
echo "  npx stack -f examples/webapp/stack.yaml ps"
echo "  npx stack -f examples/webapp/stack.yaml down -v"
