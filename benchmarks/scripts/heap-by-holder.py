#!/usr/bin/env python3
"""Sums the byte[] of a heap dump by the field (or array type) that holds each one, and shows the sizes.

    jcmd <pid> GC.heap_dump /tmp/heap.hprof          # e.g. while long-runs.sh streams 1000 runs
    python3 benchmarks/scripts/heap-by-holder.py /tmp/heap.hprof [rows]

Reads the HPROF 1.0.2 format that the JDK writes (8-byte identifiers). A byte[] held by several objects is counted
once, under the first holder found. Written for docs/benchmark.md, "Third pass": no tool on this machine answers
"which field holds these bytes" (jcmd's class histogram only counts them).
"""
import collections
import struct
import sys

SIZES = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}  # HPROF basic types; 2 = object reference
BYTE = 8


def main(path, rows):
    data = open(path, 'rb').read()
    p = data.index(b'\0') + 1
    if struct.unpack('>I', data[p:p + 4])[0] != 8:
        sys.exit('only 8-byte identifiers are supported')
    p += 12

    def ref(at):
        return struct.unpack('>Q', data[at:at + 8])[0]

    def u4(at):
        return struct.unpack('>I', data[at:at + 4])[0]

    strings, class_names, class_fields = {}, {}, {}
    instances, byte_arrays = [], {}
    holders = collections.defaultdict(list)
    while p < len(data):
        tag, length = data[p], u4(p + 5)
        body, p = p + 9, p + 9 + length
        if tag == 0x01:  # UTF8 string
            strings[ref(body)] = data[body + 8:p].decode('utf8', 'replace')
        elif tag == 0x02:  # LOAD CLASS
            class_names[ref(body + 4)] = strings.get(ref(body + 16), '?')
        elif tag in (0x0C, 0x1C):  # HEAP DUMP (SEGMENT)
            q = body
            while q < p:
                sub = data[q]
                q += 1
                if sub == 0xFF:
                    q += 8
                elif sub in (0x01, 0x02, 0x03, 0x08):
                    q += 16
                elif sub in (0x04, 0x06):
                    q += 12
                elif sub in (0x05, 0x07):
                    q += 8
                elif sub == 0x20:  # CLASS DUMP
                    class_id, super_id = ref(q), ref(q + 12)
                    q += 8 + 4 + 8 * 6 + 4
                    constants = struct.unpack('>H', data[q:q + 2])[0]
                    q += 2
                    for _ in range(constants):
                        q += 3 + SIZES[data[q + 2]]
                    statics = struct.unpack('>H', data[q:q + 2])[0]
                    q += 2
                    for _ in range(statics):
                        q += 9 + SIZES[data[q + 8]]
                    count = struct.unpack('>H', data[q:q + 2])[0]
                    q += 2
                    fields = []
                    for _ in range(count):
                        fields.append((ref(q), data[q + 8]))
                        q += 9
                    class_fields[class_id] = (super_id, fields)
                elif sub == 0x21:  # INSTANCE DUMP
                    size = u4(q + 20)
                    instances.append((ref(q + 12), q + 24))
                    q += 24 + size
                elif sub == 0x22:  # OBJECT ARRAY DUMP
                    count, array_class = u4(q + 12), ref(q + 16)
                    name = class_names.get(array_class, '?')
                    for i in range(count):
                        holders[ref(q + 24 + 8 * i)].append(name)
                    q += 24 + 8 * count
                elif sub == 0x23:  # PRIMITIVE ARRAY DUMP
                    count, kind = u4(q + 12), data[q + 16]
                    if kind == BYTE:
                        byte_arrays[ref(q)] = count
                    q += 17 + count * SIZES[kind]
                else:
                    sys.exit('unknown heap dump record 0x%x' % sub)

    layouts = {}
    for class_id, at in instances:
        if class_id not in layouts:
            layout, current = [], class_id
            while current:
                super_id, fields = class_fields[current]
                layout += [(strings.get(name, '?'), kind) for name, kind in fields]
                current = super_id
            layouts[class_id] = layout
        owner = class_names.get(class_id, '?')
        for name, kind in layouts[class_id]:
            if kind == 2:
                target = ref(at)
                if target in byte_arrays:
                    holders[target].append(owner + '.' + name)
            at += SIZES[kind]

    total, count, sizes = collections.Counter(), collections.Counter(), collections.defaultdict(collections.Counter)
    for array, length in byte_arrays.items():
        holder = holders.get(array, ['(no holder found: a stack or a root)'])[0]
        total[holder] += length
        count[holder] += 1
        sizes[holder][length] += 1
    print('byte[]: %d bytes in %d arrays' % (sum(byte_arrays.values()), len(byte_arrays)))
    for holder, size in total.most_common(rows):
        common = ', '.join('%d B x %d' % pair for pair in sizes[holder].most_common(3))
        print('%12d %7d  %s  (%s)' % (size, count[holder], holder.replace('/', '.'), common))


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
