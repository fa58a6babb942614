#!/bin/busybox sh
# Stratus test guest, stage 1: load the virtio drivers, then switch to the root disk.
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
         virtio_blk failover net_failover virtio_net cdrom isofs button evdev; do
    /bin/busybox insmod /modules/$m.ko 2>/dev/null
done
echo "stratus-guest: initramfs ok"
for i in 1 2 3 4 5 6 7 8 9 10; do
    [ -b /dev/vda ] && break
    /bin/busybox sleep 0.2
done
/bin/busybox mount -o rw /dev/vda /newroot || {
    echo "stratus-guest: FAILED to mount the root disk /dev/vda"; exec /bin/busybox sh; }
/bin/busybox umount /proc
/bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /sbin/init
