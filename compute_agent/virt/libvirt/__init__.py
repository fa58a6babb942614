"""The libvirt virt driver (qemu/KVM through libvirt-python)."""
