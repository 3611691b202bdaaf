"""SVG drawing helpers: frames flip y, labels sit inside their booths."""

from shapely.geometry import Point, Polygon, box

from exhibit.maps.svg import Frame, inward_point, label_point, label_size


def test_frame_flips_y_and_adds_margin():
    frame = Frame.around(box(0, 0, 100, 60), margin=1)
    assert frame.view_box == "0 0 102.000 62.000"
    assert frame.point(0, 0) == (1, 61)
    assert frame.point(100, 60) == (101, 1)
    assert frame.path(box(0, 0, 1, 1)).startswith("M") and frame.path(box(0, 0, 1, 1)).endswith("Z")


def test_rectangle_labels_are_centred():
    assert label_point(box(0, 0, 6, 3)) == (3, 1.5)


def test_l_shaped_labels_stay_inside():
    shape = Polygon([(0, 0), (6, 0), (6, 2), (2, 2), (2, 6), (0, 6)])
    x, y = label_point(shape)
    assert shape.contains(Point(x, y))
    assert shape.exterior.distance(Point(x, y)) > 0.5


def test_label_size_shrinks_with_the_booth():
    assert label_size(box(0, 0, 1.5, 1.5)) < label_size(box(0, 0, 6, 6)) <= 1.0


def test_inward_point_moves_towards_the_hall():
    x, y = inward_point(Point(50, 0), box(0, 0, 100, 60), 2)
    assert abs(x - 50) < 0.5 and 1.5 < y < 2.5


def test_many_paths_at_once_are_the_same_text_as_one_by_one():
    from shapely.geometry import LineString, Polygon, box

    from exhibit.maps.svg import Frame

    frame = Frame(-1, -1, 40, 30)
    shapes = [
        box(0, 0, 3, 3),
        Polygon([(10, 10), (16, 10), (16, 13), (13, 13), (13, 16), (10, 16)]),
        Polygon(box(20, 20, 30, 28).exterior.coords, [box(22, 22, 24, 24).exterior.coords]),
        LineString([(0, 0), (5, 0)]),
        box(1.23456, 2.5, 4.0001, 7),
    ]
    assert frame.paths(shapes) == [frame.path(s) for s in shapes]
