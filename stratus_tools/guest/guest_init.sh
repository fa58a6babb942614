#!/bin/busybox sh
# Stratus test guest, stage 2 (PID 1 on the root disk): a tiny cloud-init.
# One line per step on the serial console, each starting "stratus-guest:".
PATH=/bin:/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /tmp /run /root/.ssh
say() { echo "stratus-guest: $*"; }
say "boot ok kernel=$(uname -r)"

json_value() {  # json_value KEY FILE: a top-level string value, good enough for our JSON
    sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$2" | head -n 1
}

META=""
LEASED=""
DRIVE=$(findfs LABEL=config-2 2>/dev/null)
if [ -n "$DRIVE" ]; then
    mkdir -p /mnt/config
    if mount -t iso9660 -o ro "$DRIVE" /mnt/config 2>/tmp/mount.err; then
        META=/mnt/config/openstack/latest/meta_data.json
        USERDATA=/mnt/config/openstack/latest/user_data
        say "config drive ok device=$DRIVE"
    else
        say "config drive FAILED device=$DRIVE: $(cat /tmp/mount.err)"
    fi
fi

# The NICs network_data.json gives static addresses (networks without DHCP) take them;
# every other NIC asks DHCP, in order (the first gateway or router is the default
# route); one line per NIC.
. /etc/network_data.sh
NETDATA=/tmp/network_data.flat
: > "$NETDATA"
[ -f /mnt/config/openstack/latest/network_data.json ] \
    && json_flat < /mnt/config/openstack/latest/network_data.json > "$NETDATA"
for path in /sys/class/net/*; do
    nic=$(basename "$path")
    [ "$nic" = lo ] && continue
    ip link set "$nic" up
    if static_config "$NETDATA" "$nic" "$(cat "$path/address")"; then
        say "static ok iface=$nic" \
            "ip=$(ip -4 -o addr show "$nic" | awk '{printf "%s%s", s, $4; s = ","}')" \
            "mtu=$(cat "$path/mtu")"
        LEASED="${LEASED:-$nic}"
    elif udhcpc -i "$nic" -n -q -t 5 -O mtu -s /etc/udhcpc.sh >/dev/null 2>&1; then
        say "dhcp ok iface=$nic ip=$(ip -4 -o addr show "$nic" | awk '{print $4}')" \
            "mtu=$(cat "$path/mtu")"
        LEASED="${LEASED:-$nic}"
    else
        say "dhcp failed iface=$nic"
    fi
done

# IPv6: the address network_data.json names, static or (SLAAC) once the kernel has made
# it from the router advertisements; one line per NIC that has one.
for path in /sys/class/net/*; do
    nic=$(basename "$path")
    set -- $(ipv6_address "$NETDATA" "$(cat "$path/address")")
    [ -n "$1" ] || continue
    [ "$2" = ipv6 ] && ip -6 addr add "$1/${3:-64}" dev "$nic"
    tries=0
    # Done once duplicate address detection is over (a tentative address is not used).
    until ip -6 -o addr show dev "$nic" scope global | grep " $1/" | grep -qv tentative \
          || [ "$tries" -ge 15 ]; do
        sleep 1
        tries=$((tries + 1))
    done
    if ip -6 -o addr show dev "$nic" scope global | grep " $1/" | grep -qv tentative; then
        say "ipv6 ok iface=$nic ip=$1"
    else
        say "ipv6 FAILED iface=$nic: no $1 after ${tries} s"
    fi
done

# Without a config drive, the metadata service.
if [ -z "$DRIVE" ] && [ -n "$LEASED" ]; then
    MD=http://169.254.169.254
    if timeout 10 wget -q -O /tmp/meta_data.json $MD/openstack/latest/meta_data.json; then
        META=/tmp/meta_data.json
        timeout 10 wget -q -O /tmp/user_data $MD/openstack/latest/user_data \
            && USERDATA=/tmp/user_data
    elif timeout 10 wget -q -O /tmp/ec2_hostname $MD/latest/meta-data/hostname; then
        # The EC2 tree: build the little JSON the steps below read.
        KEY=$(timeout 10 wget -q -O - $MD/latest/meta-data/public-keys/0/openssh-key)
        UUID=$(timeout 10 wget -q -O - $MD/latest/meta-data/instance-id)
        printf '{"hostname": "%s", "uuid": "%s", "keys": ["%s"]}\n' \
            "$(cat /tmp/ec2_hostname)" "$UUID" "$KEY" > /tmp/meta_data.json
        META=/tmp/meta_data.json
        timeout 10 wget -q -O /tmp/user_data $MD/latest/user-data \
            && USERDATA=/tmp/user_data
    else
        say "metadata FAILED: $MD answered neither the OpenStack nor the EC2 tree"
    fi
elif [ -z "$DRIVE" ]; then
    say "no network and no config drive"
fi

if [ -n "$META" ] && [ ! -f "$META" ]; then
    say "metadata FAILED: no $META"
elif [ -n "$META" ]; then
    NAME=$(json_value hostname "$META")
    [ -n "$NAME" ] && hostname "$NAME"
    sed -n 's/.*"\(ssh-[a-z0-9-]* [A-Za-z0-9+\/=]*[^"]*\)".*/\1/p' "$META" \
        > /root/.ssh/authorized_keys
    say "metadata ok hostname=$(hostname) uuid=$(json_value uuid "$META")" \
        "keys=$(grep -c '^ssh-' /root/.ssh/authorized_keys)"
fi

if [ -n "$USERDATA" ] && [ -f "$USERDATA" ] && [ "$(head -c 2 "$USERDATA")" = "#!" ]; then
    cp "$USERDATA" /tmp/user_data.run && chmod +x /tmp/user_data.run
    say "user_data start"
    /tmp/user_data.run 2>&1 | sed 's/^/stratus-guest: user_data: /'
    say "user_data done rc=$?"
fi

# ACPI power button: any event from the "Power Button" input device powers off.
for dev in /sys/class/input/event*; do
    if grep -q "Power Button" "$dev/device/name" 2>/dev/null; then
        (head -c 1 "/dev/input/$(basename "$dev")" >/dev/null
         say "acpi power button: powering off"; sync; poweroff -f) &
        say "acpi ok device=$(basename "$dev")"
    fi
done
sync
say "ready"
while true; do sleep 3600; done
