import pytest

from scheduler.filters.ram import RamFilter
from stratus.config import CONF
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("memory_mb,used,ratio,wanted,passes", [
    (8192, 0, 1.0, 512, True),
    (8192, 7680, 1.0, 512, False),          # 8192 - 512 reserved - 7680 = 0 free
    (8192, 7168, 1.0, 512, True),           # exactly 512 free
    (8192, 7680, 1.5, 2048, True),          # overcommit: 12288 - 512 - 7680 = 4096
    (1024, 0, 1.0, 4096, False),
])
def test_ram_filter(memory_mb: int, used: int, ratio: float, wanted: int, passes: bool) -> None:
    assert CONF.compute.reserved_host_memory_mb == 512
    h = host(memory_mb=memory_mb, memory_mb_used=used, ram_allocation_ratio=ratio)
    assert RamFilter().host_passes(h, spec(memory_mb=wanted)) is passes
    assert RamFilter().reason(spec(memory_mb=wanted)) == f"less than {wanted} MB free RAM"
